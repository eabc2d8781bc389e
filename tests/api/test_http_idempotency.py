"""``Idempotency-Key``: a repeat answers the first result and changes nothing; and of two
people firing at one case at the same moment, exactly one wins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from httpcase import Caller, draft_case, problem_of

AGREEMENT = {
    "reference": "IDEMP-1",
    "title": "Meals at home",
    "kind": "contract",
    "counterparty": "Hot Plates Ltd",
    "directorate": "Adult Social Care",
    "annual_value_pence": 1_000_000,
    "start_date": "2024-01-01",
    "end_date": "2024-12-31",
}


def count(caller: Caller, path: str, **params: str) -> int:
    return len(caller.ok(caller.get(path, params={"limit": 200, **params}))["items"])


def test_a_repeat_answers_the_first_result_and_changes_nothing(
    people: dict[str, Caller],
) -> None:
    officer = people["officer"]
    key = {"Idempotency-Key": "agreement-IDEMP-1"}
    first = officer.post("/agreements", AGREEMENT, headers=key)
    again = officer.post("/agreements", AGREEMENT, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count(officer, "/agreements") == 1

    reused = problem_of(officer.post("/agreements", {**AGREEMENT, "title": "x"}, headers=key), 422)
    assert reused["errors"][0]["field"] == "Idempotency-Key"
    # Keys belong to their user: the clerk's same key is no replay; it runs, and meets the
    # reference the officer already registered.
    clerk = people["clerk"]
    problem_of(clerk.post("/agreements", AGREEMENT, headers=key), 409)


def test_an_event_replayed_keeps_its_answer_and_etag(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    cid = draft_case(officer)["id"]
    key = {"Idempotency-Key": "submit-once"}
    first = officer.fire(cid, "submit", headers=key)
    again = officer.fire(cid, "submit", headers=key)
    assert first.status_code == again.status_code == 200
    assert (
        again.json() == first.json() and again.headers["etag"] == first.headers["etag"] == 'W/"2"'
    )
    assert officer.ok(officer.get(f"/cases/{cid}"))["version"] == 2
    trail = officer.ok(officer.get(f"/cases/{cid}/audit"))["items"]
    assert [e["event"] for e in trail].count("submit") == 1
    problem_of(officer.fire(cid, "submit", headers={"Idempotency-Key": "submit-twice"}), 409)


def test_a_failed_request_is_not_remembered(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    key = {"Idempotency-Key": "try-again"}
    problem_of(officer.post("/agreements", {**AGREEMENT, "kind": "lease"}, headers=key), 422)
    assert officer.ok(officer.post("/agreements", AGREEMENT, headers=key), 201)["id"]
    problem_of(officer.post("/agreements", AGREEMENT, headers={"Idempotency-Key": ""}), 422)
    problem_of(officer.post("/agreements", AGREEMENT, headers={"Idempotency-Key": "k" * 201}), 422)


def test_the_same_keyed_request_sent_at_once_creates_one(people: dict[str, Caller]) -> None:
    officer = people["officer"]
    key = {"Idempotency-Key": "racing"}
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(
            pool.map(lambda _: officer.post("/agreements", AGREEMENT, headers=key), range(6))
        )
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {201, 409} and 201 in statuses, statuses
    assert len({a.text for a in answers if a.status_code == 201}) == 1
    assert count(officer, "/agreements") == 1


def test_two_people_firing_at_once_one_wins(people: dict[str, Caller]) -> None:
    officer, colleague = people["officer"], people["colleague"]
    cid = draft_case(officer)["id"]
    callers = [officer, colleague] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda c: c.fire(cid, "submit", headers={"If-Match": 'W/"1"'}), callers)
        )
    statuses = sorted(a.status_code for a in answers)
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 409, 412}
    case = officer.ok(officer.get(f"/cases/{cid}"))
    assert (case["state"], case["version"]) == ("cabinet_consideration", 2)
