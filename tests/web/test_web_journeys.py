"""End to end in Chromium, through the pages alone: the Sefton case from an officer's draft
to an active extension, as four different people, and the Oldham case's exempt report as a
viewer sees it. axe-core checks every page reached (``Visitor.check``)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from browsing import Visitor, screenshot_dir
from webcase import OLDHAM_SUMMARY_WORDS, Live

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def at(y: int, m: int, d: int, hour_utc: int = 9) -> datetime:
    return datetime(y, m, d, hour_utc, 0, tzinfo=UTC)


def visitor(browser: Any, live: Live, who: str) -> Visitor:
    return Visitor(browser, live.url, live.seeded.tokens[who], live.seeded.names[who])


def case_id_of(v: Visitor) -> int:
    found = re.search(r"/cases/(\d+)$", v.page.url)
    assert found, v.page.url
    return int(found.group(1))


def draft_sefton(officer: Visitor) -> int:
    """From the register: find the thirteen Day Opportunities contracts, choose them all,
    draft the case, adding and removing options on the page."""
    officer.click_link("Agreements")
    officer.fill("Reference, title or provider", "Day Opportunities")
    officer.click_button("Search")
    boxes = officer.page.get_by_label(re.compile(r"^Choose SEFTON-DAYOPS-\d\d$"))
    assert boxes.count() == 13
    for i in range(boxes.count()):
        boxes.nth(i).check()
    officer.click_button("Draft a case for the chosen agreements")
    assert officer.heading() == "Draft a new case"
    assert officer.page.locator("input[name=agreement_ids]:checked").count() == 13

    officer.choose("Contract extension")
    officer.fill("Title", "Day Opportunities contracts: extension for up to twelve months")
    assert officer.page.get_by_label("Directorate", exact=True).input_value() == "Adult Social Care"
    officer.fill_date("proposal_start_date", date(2024, 10, 1))
    officer.fill("Months at first", "6")
    officer.fill("Most months in all", "12")
    officer.select("Lawful ground", "Unforeseeable circumstances")
    officer.fill_date("meeting_date", date(2024, 9, 5))
    officer.fill("Agenda item (optional)", "6")
    officer.page.locator("#key_decision").check()
    officer.fill(
        "Summary",
        "Thirteen Day Opportunities contracts end on 30 September 2024. Extend them for up to "
        "twelve months from 1 October 2024 to allow a compliant procurement.",
    )
    options = [
        ("Let the contracts end", "Allow the contracts to expire.", "Service users lose services."),
        (
            "Direct award of new long-term contracts",
            "Award without competition.",
            "Not compliant with the Procurement Regulations.",
        ),
        ("Extend for up to twelve months", "Six months, then a further six.", ""),
    ]
    for i, (label, description, rejected) in enumerate(options):
        if i >= 2:
            officer.click_button("Add another option")
        officer.page.locator(f"#option-{i}-label").fill(label)
        officer.page.locator(f"#option-{i}-description").fill(description)
        officer.page.locator(f"#option-{i}-rejected_reason").fill(rejected)
    officer.click_button("Add another option")
    officer.page.locator("#option-3-label").fill("A mistake")
    officer.click_button("Remove option 4")
    assert officer.page.locator("#option-3-label").count() == 0
    assert officer.page.locator("#option-2-label").input_value() == options[2][0]
    officer.fill("Recommended option", "Extend for up to twelve months")
    officer.fill("Reasons for the recommendation", "Buys time for a compliant procurement.")
    officer.click_button("Save the draft")
    assert "Your draft was saved." in officer.flash()
    return case_id_of(officer)


def test_sefton_from_draft_to_active_through_the_pages(
    browser: Any, live: Live, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)

    # 1 July 2024: the officer drafts the case. It is not ready to go to Cabinet yet.
    officer = visitor(browser, live, "officer")
    case_id = draft_sefton(officer)
    text = officer.text()
    assert "Drafted" in text
    assert "You cannot submit to Cabinet yet" in text
    assert "financial implications" in text
    assert "forward-plan notice" in text
    assert officer.page.get_by_role("button", name="Submit to Cabinet").count() == 0
    # Asked anyway, the refusal is the error summary, one line per failing guard.
    officer.goto(f"/cases/{case_id}/events/submit")
    officer.click_button("Submit to Cabinet")
    refused = officer.error_summary()
    assert any(
        "the report is incomplete: it needs financial implications" in r.lower() for r in refused
    ), refused
    assert any("forward-plan notice" in r for r in refused), refused

    # 1 August: the forward plan notice went out on 31 July; the officer completes the draft
    # and submits it.
    live.travel(at(2024, 8, 1))
    officer.goto(f"/cases/{case_id}")
    officer.click_button("Edit the draft")
    officer.fill_date("forward_plan_published_on", date(2024, 7, 31))
    officer.fill("Financial implications", "Met from the Adult Social Care day services budget.")
    officer.click_button("Save the draft")
    assert "Your changes to the draft were saved." in officer.flash()
    officer.click_button("Submit to Cabinet")
    officer.click_button("Submit to Cabinet")
    assert "The case was submitted to Cabinet." in officer.flash()
    assert "Cabinet consideration" in officer.text()
    officer.close()

    # 6 September: Cabinet met on the 5th. Democratic services records the approval and the
    # delegation to the Executive Director, in consultation with the Cabinet Member.
    live.travel(at(2024, 9, 6))
    clerk = visitor(browser, live, "clerk")
    assert "Cases for Cabinet on Thursday 5 September 2024" in clerk.text()
    clerk.click_link("Day Opportunities contracts: extension for up to twelve months")
    clerk.click_button("Record Cabinet's approval")
    clerk.fill(
        "Cabinet's resolution",
        "Approve an extension of up to twelve months from 1 October 2024; delegate approval of "
        "any extension beyond six months to the Executive Director of Adult Social Care, in "
        "consultation with the Cabinet Member for Adult Social Care.",
    )
    clerk.fill_date("notice_published_on", date(2024, 9, 6))
    clerk.select("Delegate", live.seeded.names["executive"])
    clerk.select("Consultee (optional)", live.seeded.names["cabinet_member"])
    clerk.page.locator("form[method=post] button.govuk-button").click()
    clerk.page.wait_for_load_state()
    clerk.check()
    assert "Cabinet's approval and delegation were recorded." in clerk.flash()
    assert "Delegated approval" in clerk.text()
    clerk.close()

    # 10 September: still in call-in, and the consultee not yet consulted. The delegate is
    # told why they cannot sign off yet.
    live.travel(at(2024, 9, 10))
    executive = visitor(browser, live, "executive")
    assert "Sign-offs delegated to you" in executive.text()
    executive.click_link("Day Opportunities contracts: extension for up to twelve months")
    text = executive.text()
    assert "You cannot sign off yet" in text
    assert "The call-in period ends on Fri 13 Sep 2024" in text
    assert "No consultation with Cllr Cara Member" in text

    # The cabinet member records the consultation from their own dashboard.
    member = visitor(browser, live, "cabinet_member")
    assert "Consultations asked of you" in member.text()
    member.click_link("Day Opportunities contracts: extension for up to twelve months")
    member.click_button("Record a consultation")
    member.page.locator("#response").fill("I agree to the further six months if needed.")
    member.click_button("Record the consultation")
    assert "The consultation was recorded." in member.flash()
    assert "Consultation recorded" in member.text()
    member.close()

    # 16 September: call-in is over. The delegate signs off the first six months.
    live.travel(at(2024, 9, 16))
    executive.goto("/")
    assert "Ready to sign off" in executive.text()
    executive.screenshot(shots / "dashboard.png")
    executive.click_link("Day Opportunities contracts: extension for up to twelve months")
    executive.screenshot(shots / "case.png")
    executive.click_button("Sign off")
    executive.fill("Term in months", "13")
    executive.fill("Reasons for the decision", "Service continuity during the procurement.")
    executive.click_button("Continue")
    refused = executive.error_summary()
    assert any(
        "13 months exceeds what is left of the envelope (12 of 12 months)" in r for r in refused
    ), refused
    executive.fill("Term in months", "6")
    executive.click_button("Continue")
    assert executive.heading() == "Check before you sign off"
    confirm = executive.text()
    assert "Monday 31 March 2025" in confirm
    assert "Envelope left\t12 months" in confirm
    assert "Tuesday 30 September 2025" in confirm  # the envelope's latest end date
    # The ground check (issue 9): PCR 2015 reg 72(1)(c), six months of a five-year contract.
    assert "Unforeseeable circumstances (PCR 2015 reg 72(1)(c), (2))" in confirm
    check = executive.page.locator("#ground-check")
    assert check.locator("tbody tr").count() == 13
    assert "10%" in check.inner_text() and "50%" in check.inner_text()
    assert check.get_by_text("Holds").count() == 13
    assert "modification notice" in check.inner_text()
    executive.screenshot(shots / "sign-off.png")
    check.screenshot(path=str(shots / "ground-check.png"))
    executive.click_button("Confirm and sign off")
    assert "You signed off the term." in executive.flash()
    text = executive.text()
    assert "Active" in text
    assert "1 October 2024 to 31 March 2025" in text
    assert "6 of 12 months left" in text
    executive.close()


def test_oldham_viewer_sees_the_report_redacted(browser: Any, live: Live) -> None:
    case = f"/cases/{live.seeded.oldham_case_id}"
    viewer = visitor(browser, live, "viewer")
    viewer.goto(case)
    text = viewer.text()
    assert "Service Level Agreement with Miocare Group CIC" in text
    assert (
        "Exempt information under paragraph 3 of Schedule 12A to the Local Government Act 1972"
        in text
    )
    assert OLDHAM_SUMMARY_WORDS not in viewer.page.content()
    assert "Set out in the exempt report at item 10" not in viewer.page.content()
    assert "There is nothing for you to do on this case now." in text
    viewer.close()

    author = visitor(browser, live, "oldham_officer")
    author.goto(case)
    assert OLDHAM_SUMMARY_WORDS in author.text()
    author.close()


def test_register_import_and_calendar_pages(browser: Any, live: Live, tmp_path: Path) -> None:
    from workflow.register.importer import sample_register

    officer = visitor(browser, live, "officer")
    officer.click_link("Agreements")
    assert "End dates coming up" in officer.text()
    officer.select("Kind", "Service level agreements")
    officer.click_button("Search")
    results = officer.page.locator("table", has_text="matching your search").inner_text()
    assert "OLDHAM-SLA-MIOCARE" in results
    assert "SEFTON-DAYOPS-01" not in results

    officer.click_link("Import a contract register (CSV)")
    officer.click_button("Import")
    assert officer.error_summary() == ["Choose a CSV file of your contract register"]
    sample = sample_register().decode("utf-8-sig").splitlines()
    bad = sample[1].split(",")
    bad[0] = "CR-BAD-1"
    bad_row = ",".join(bad).replace("01/03/2019", "31/02/2019")
    upload = tmp_path / "register.csv"
    upload.write_text("\n".join([*sample, bad_row]) + "\n", encoding="utf-8")
    officer.page.get_by_label("Contract register (CSV)").set_input_files(str(upload))
    officer.click_button("Import")
    assert officer.heading().startswith("Import results")
    text = officer.text()
    assert "Rows refused" in text and "CR-BAD-1" in text
    officer.click_link("Calendar")
    assert f"{live.url}/api/v1/calendar.ics" in officer.text()
    officer.click_link("Cases")
    officer.close()
