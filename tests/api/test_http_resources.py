"""The read side and the operations routes: filtered, keyset-paged lists, reminders and their
retry, the machine, the calendar feed, the register import, health and metrics."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from httpcase import (
    Caller,
    MakeClient,
    draft_case,
    make_people,
    one_agreement,
    problem_of,
    to_delegated_approval,
)
from icalendar import Calendar
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.app import create_app
from workflow.db import make_engine
from workflow.models import Reminder, User
from workflow.people.users import calendar_key
from workflow.register.importer import sample_register
from workflow.settings import Settings

METRICS_TOKEN = "metrics-test-token"


def every_page(caller: Caller, path: str, **params: object) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = caller.ok(caller.get(path, params=query))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_agreements_filter_and_page(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    for n in range(5):
        one_agreement(
            officer, f"LIST-{n}", kind="sla" if n % 2 else "contract", end_date=f"202{5 + n}-03-31"
        )
    first = officer.ok(officer.get("/agreements", params={"limit": 2}))
    assert len(first["items"]) == 2 and first["next_cursor"]
    every = every_page(officer, "/agreements", limit=2)
    assert [a["reference"] for a in every] == [f"LIST-{n}" for n in range(5)]
    slas = every_page(officer, "/agreements", kind="sla")
    assert [a["reference"] for a in slas] == ["LIST-1", "LIST-3"]
    window = every_page(officer, "/agreements", end_from="2026-01-01", end_to="2027-12-31")
    assert [a["reference"] for a in window] == ["LIST-1", "LIST-2"]
    assert every_page(officer, "/agreements", directorate="Nowhere") == []
    one = officer.ok(officer.get(f"/agreements/{every[0]['id']}"))
    assert one == every[0] and one["annual_value_pence"] == 19_500_000


def test_cases_and_deadlines_filter_and_page(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    ids = [draft_case(officer)["id"] for _ in range(3)]
    officer.ok(officer.fire(ids[0], "submit"))
    assert [c["id"] for c in every_page(officer, "/cases", limit=1)] == ids
    assert [c["id"] for c in every_page(officer, "/cases", state="drafted")] == ids[1:]
    assert every_page(officer, "/cases", kind="sla_refresh") == []
    mine = every_page(officer, "/cases", author_id=officer.id)
    assert len(mine) == 3

    agenda = every_page(officer, "/deadlines", case_id=ids[0], kind="agenda_publication")
    # Submitted is not published (issue 11): the agenda duty waits for democratic services.
    assert [(d["due_on"], d["status"]) for d in agenda] == [("2024-08-28", "open")]
    open_ = every_page(officer, "/deadlines", status="open", limit=1)
    assert open_ and all(d["status"] == "open" for d in open_)
    in_range = every_page(officer, "/deadlines", due_from="2024-09-30", due_to="2024-09-30")
    assert {d["kind"] for d in in_range} == {"agreement_end"}
    assert all(date.fromisoformat(d["due_on"]) == date(2024, 9, 30) for d in in_range)


def test_reminders_list_and_an_admin_retries_a_dead_one(
    people: dict[str, Caller], engine: Engine
) -> None:
    officer, admin = people["officer"], people["admin"]
    cid = draft_case(officer)["id"]
    reminders = every_page(officer, "/reminders", case_id=cid)
    assert reminders and {r["status"] for r in reminders} == {"pending"}
    first = reminders[0]
    assert {
        "id",
        "case_id",
        "deadline_kind",
        "due_on",
        "fire_at",
        "channel",
        "recipients",
        "status",
        "attempts",
        "last_error",
    } <= first.keys()
    assert first["fire_at"].endswith("Z") or "+" in first["fire_at"]
    with engine.begin() as conn:
        conn.execute(
            update(Reminder)
            .where(Reminder.id == first["id"])  # type: ignore[arg-type]
            .values(status="dead", attempts=6, last_error="550 mailbox unavailable")
        )
    dead = every_page(officer, "/reminders", status="dead")
    assert [r["id"] for r in dead] == [first["id"]] and dead[0]["attempts"] == 6
    retried = admin.ok(admin.post(f"/reminders/{first['id']}/retry"))
    assert (retried["status"], retried["attempts"]) == ("pending", 0)
    assert retried["fire_at"].startswith("2024-07-01T08:00:00")
    again = problem_of(admin.post(f"/reminders/{first['id']}/retry"), 409)
    assert "pending" in again["detail"]


def test_the_workflow_is_the_machine(people: dict[str, Caller]) -> None:
    machine = people["viewer"].ok(people["viewer"].get("/workflow"))
    assert machine["initial"] == "drafted"
    assert set(machine["end_states"]) == {"expired", "rejected", "withdrawn", "declined", "lapsed"}
    events = {e["event"]: e for e in machine["events"]}
    assert events["sign_off"]["who"] == "only the named delegate"
    assert "signer_not_author" in {g["name"] for g in events["sign_off"]["guards"]}
    assert machine["mermaid"].startswith("stateDiagram-v2")
    assert "delegated_approval --> active: sign_off" in machine["mermaid"]
    # SPEC §7: the transitions and the guards are keys of their own.
    assert {"event": "withdraw", "source": "cabinet_consideration", "dest": "withdrawn"} in (
        machine["transitions"]
    )
    assert len(machine["transitions"]) == 24  # issue 12 added thirteen
    # An event of several rows says when each applies: Council's decision on the delegate's
    # key decision starts its term; on Cabinet's, the case returns to delegated approval.
    council = {e["when"]: e["dest"] for e in machine["events"] if e["event"] == "council_decides"}
    assert council == {
        "the decision called in is Cabinet's": "delegated_approval",
        "the decision called in is the delegate's key decision": "active",
    }
    assert {e["when"] for e in machine["events"] if e["event"] == "decline"} == {None}
    uses = {(g["event"], g["name"]) for g in machine["guards"]}
    assert {("approve", "decided_not_in_future"), ("reject", "decided_not_in_future")} <= uses
    assert ("sign_off", "signer_not_author") in uses
    assert all(g["description"] for g in machine["guards"])


def test_the_calendar_feed_is_stable_and_all_day(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    cid = draft_case(officer)["id"]
    to_delegated_approval(people, cid)
    feeds = [Calendar.from_ical(officer.get("/calendar.ics").content) for _ in range(2)]
    uids = [sorted(str(e["uid"]) for e in feed.walk("VEVENT")) for feed in feeds]
    assert uids[0] == uids[1] and uids[0]
    assert all(u.startswith("deadline-") and u.endswith("@councilflow") for u in uids[0])
    for event in feeds[0].walk("VEVENT"):
        start = event.decoded("dtstart")
        assert isinstance(start, date) and not hasattr(start, "hour")
    delegate_feed = Calendar.from_ical(people["executive"].get("/calendar.ics").content)
    kinds = {str(e["summary"]).split(":")[0] for e in delegate_feed.walk("VEVENT")}
    assert "Sign off due" in kinds
    outsider = Calendar.from_ical(people["other_officer"].get("/calendar.ics").content)
    assert outsider.walk("VEVENT") == []


def test_a_calendar_key_reads_the_feed_and_nothing_else(
    people: dict[str, Caller], engine: Engine
) -> None:
    """Calendar apps cannot send a bearer token: the feed address carries a key bound to the
    user's current token, which reads that feed only and dies when the token is replaced."""
    officer = people["officer"]
    to_delegated_approval(people, draft_case(officer)["id"])
    client = officer.client
    settings = client.app.state.settings  # type: ignore[attr-defined]
    with Session(engine) as session:
        user = session.get(User, officer.id)
        assert user is not None
        key = calendar_key(user, settings.session_secret)
    feed = client.get("/api/v1/calendar.ics", params={"key": key})
    assert feed.status_code == 200, feed.text
    assert feed.content == officer.get("/calendar.ics").content
    tampered = key[:-1] + ("1" if key.endswith("0") else "0")
    problem_of(client.get("/api/v1/calendar.ics", params={"key": tampered}), 401)
    problem_of(client.get("/api/v1/calendar.ics", params={"key": "nonsense"}), 401)
    problem_of(client.get("/api/v1/me", params={"key": key}), 401)
    with Session(engine) as session:
        session.execute(update(User).where(User.id == officer.id).values(token_hash="0" * 64))
        session.commit()
    problem_of(client.get("/api/v1/calendar.ics", params={"key": key}), 401)


def test_the_transparency_register_imports(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    sample = sample_register()
    first = officer.post("/agreements/import", content=sample, headers={"Content-Type": "text/csv"})
    result = officer.ok(first)
    assert result["created"] >= 200 and result["updated"] == 0
    assert result["rows"] == result["created"] + len(result["refused"])
    assert all(r["row"] > 1 and r["reason"] for r in result["refused"])
    clerk = people["clerk"]  # the sample spans every directorate; an officer keeps only theirs
    again = clerk.ok(clerk.post("/agreements/import", content=sample))
    assert again["created"] == 0 and again["updated"] == result["created"]
    before = len(every_page(officer, "/agreements", limit=200))
    bad = problem_of(officer.post("/agreements/import", content=b"\x00\x01 not a register"), 422)
    assert bad["detail"]
    assert len(every_page(officer, "/agreements", limit=200)) == before
    problem_of(people["viewer"].post("/agreements/import", content=sample), 403)


def test_an_import_may_not_rewrite_another_directorates_agreement(
    people: dict[str, Caller],
) -> None:
    """Issue 14, fault 3: an Adult Social Care officer's register touching a Children's
    agreement has that row refused (with its row number); the agreement and its case stay."""
    children, asc = people["other_officer"], people["officer"]
    theirs = one_agreement(children, "CHILD-HTTP-1", directorate="Children")
    case = draft_case(children, [theirs])
    agreement_before = children.ok(children.get(f"/agreements/{theirs}"))
    case_before = children.ok(children.get(f"/cases/{case['id']}"))
    register = (
        "Reference Number,Title of Agreement,Supplier Name,Department,Start Date,End Date,"
        "Annual Value\r\n"
        "CHILD-HTTP-1,Renamed,Other Ltd,Children,01/10/2019,31/03/2026,£900000\r\n"
        f"ASC-HTTP-1,Day care,Other Ltd,{asc.user['directorate']},01/10/2019,31/03/2026,£1\r\n"
    ).encode()

    result = asc.ok(
        asc.post("/agreements/import", content=register, headers={"Content-Type": "text/csv"})
    )

    assert (result["created"], result["updated"]) == (1, 0)
    [refused] = result["refused"]
    assert (refused["row"], refused["reference"]) == (2, "CHILD-HTTP-1")
    assert "belongs to Children" in refused["reason"]
    assert children.ok(children.get(f"/agreements/{theirs}")) == agreement_before
    assert children.ok(children.get(f"/cases/{case['id']}")) == case_before


def test_the_register_exports_as_csv_that_imports_back(
    client: TestClient, people: dict[str, Caller]
) -> None:
    """Issue 13, fault 5: the register CSV, filtered like the listing, readable by every
    signed-in role, with formula cells neutralised; documented as text/csv."""
    clerk, viewer = people["clerk"], people["viewer"]
    one_agreement(clerk, '=HYPERLINK("http://x","y")', title="@SUM(A1)")
    clerk.ok(clerk.post("/agreements/import", content=sample_register()))

    answer = viewer.get("/agreements/export.csv", params={"directorate": "Place"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text, newline="")))
    assert rows and {r["Directorate"] for r in rows} == {"Place"}

    every = viewer.get("/agreements/export.csv").text
    [probe] = [
        r for r in csv.DictReader(io.StringIO(every)) if "HYPERLINK" in r["Reference Number"]
    ]
    assert probe["Reference Number"] == '\'=HYPERLINK("http://x","y")'
    assert probe["Title of Agreement"] == "'@SUM(A1)"
    listed = every_page(viewer, "/agreements", limit=200)
    assert len(every.splitlines()) == 1 + len(listed)
    again = clerk.ok(clerk.post("/agreements/import", content=every.encode()))
    assert (again["created"], again["refused"]) == (0, [])

    problem_of(client.get("/api/v1/agreements/export.csv"), 401)
    schema = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/agreements/export.csv"]
    assert "text/csv" in schema["get"]["responses"]["200"]["content"]


def test_health_readiness_and_metrics(make_client: MakeClient) -> None:
    client = make_client(metrics_token=METRICS_TOKEN)
    people = make_people(client)
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/healthz", params={"ready": 1}).json()["database"] == "ok"
    assert client.get("/healthz/ready").json()["database"] == "ok"
    officer = people["officer"]
    cid = draft_case(officer)["id"]
    officer.ok(officer.fire(cid, "submit"))
    officer.get(f"/cases/{cid}")
    text = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    assert "councilflow_database_up 1.0" in text
    assert 'councilflow_transitions_total{event="submit"} 1.0' in text
    assert 'route="/api/v1/cases/{case_id}",status="200"' in text
    assert "councilflow_http_request_duration_seconds_bucket" in text
    assert 'councilflow_reminders{status="pending"}' in text
    assert 'councilflow_reminders{status="dead"} 0.0' in text


def test_readiness_fails_when_the_database_does_not_answer(tmp_path: Path) -> None:
    """No lifespan here (it would fail first, on the schema): the app is up, the database is
    not, and readiness says so while liveness still answers."""
    unreachable = make_engine(f"sqlite:///{tmp_path / 'missing' / 'nowhere.db'}")
    app = create_app(settings=Settings(run_scheduler_in_serve=False), engine=unreachable)
    client = TestClient(app)
    assert client.get("/healthz").status_code == 200
    problem_of(client.get("/healthz/ready"), 503)
    problem_of(client.get("/healthz", params={"ready": "true"}), 503)
