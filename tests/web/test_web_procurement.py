"""An agreement's page: its procurement facts (SPEC §9), flagged when missing, recorded on the
page where the register had no column for them (issue 9)."""

from __future__ import annotations

from webcase import WebClient, form_fields


def test_the_agreement_page_flags_missing_facts_and_records_them(web: WebClient) -> None:
    web.sign_in("officer")
    first = web.seeded.sefton_agreement_ids[0]
    path = f"/agreements/{first}"
    page = web.get(path)
    assert page.status_code == 200
    assert "Public Contracts Regulations 2015" in page.text
    assert "Procurement facts missing" not in page.text
    fields = form_fields(page.text, path)
    assert fields["award_max_months"] == ["60"]
    assert fields["light_touch"] == ["yes"]

    fields["award_max_months"] = [""]  # cleared: not known
    saved = web.post(path, fields)
    assert "The procurement facts were recorded." in saved.text
    assert "Procurement facts missing: its maximum term on award" in saved.text
    assert "may not be extended until they are recorded" in saved.text
    register = web.get("/agreements?q=SEFTON-DAYOPS-01")
    assert "Procurement facts missing" in register.text

    # A regime that contradicts when the procurement began is refused by the field.
    fields["procurement_regime"] = ["pa2023"]
    refused = web.post(path, fields)
    assert refused.status_code == 400
    assert "is under pcr2015, not pa2023" in refused.text

    fields["procurement_regime"] = ["pcr2015"]
    fields["award_max_months"] = ["60"]
    restored = web.post(path, fields)
    assert "Procurement facts missing" not in restored.text


def test_a_viewer_sees_the_facts_but_no_form(web: WebClient) -> None:
    web.sign_in("viewer")
    first = web.seeded.sefton_agreement_ids[0]
    page = web.get(f"/agreements/{first}")
    assert "Procurement facts" in page.text
    assert "Save the procurement facts" not in page.text
    assert web.post(f"/agreements/{first}", {"award_max_months": "1"}).status_code == 403
