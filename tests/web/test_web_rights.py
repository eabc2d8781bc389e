"""The pages offer drafting and importing to exactly the people the domain lets do them.

The web holds no copy of either rule: "only an officer may draft" is
``workflow.people.permissions.may_draft`` and who may register agreements is
``workflow.register.agreements.may_register``; the dashboard, the register and the draft form ask
them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from webcase import WebClient

ROOT = Path(__file__).resolve().parents[2]

# who: (may draft, may register agreements), as SPEC §3 and the agreements register have it.
RIGHTS = {
    "officer": (True, True),
    "oldham_officer": (True, True),
    "clerk": (False, True),
    "admin": (False, True),
    "executive": (False, False),
    "cabinet_member": (False, False),
    "scrutiny": (False, False),
    "viewer": (False, False),
}


def test_each_page_offers_drafting_and_importing_to_exactly_those_who_may(
    web: WebClient,
) -> None:
    for who, (drafts, registers) in RIGHTS.items():
        web.sign_in(who)
        dashboard = web.get("/").text
        assert ("Draft a new case" in dashboard) is drafts, who
        assert web.get("/cases/new").status_code == (200 if drafts else 403), who
        register = web.get("/agreements").text
        assert ('name="agreement" type="checkbox"' in register) is drafts, who
        assert ('href="/agreements/import"' in register) is registers, who
        assert web.get("/agreements/import").status_code == (200 if registers else 403), who


def test_someone_who_may_not_register_is_refused_the_import_form(web: WebClient) -> None:
    web.sign_in("viewer")
    page = web.get("/agreements/import")
    assert page.status_code == 403 and "You cannot do that" in page.text
    assert "only officers, democratic services and admins may register agreements" in page.text
    sent = web.client.post(
        "/agreements/import",
        data={"csrf_token": web.csrf},
        files={"register": ("register.csv", b"reference\n", "text/csv")},
    )
    # 403, not the 400 of a form sent back with errors (nor of a stale CSRF token).
    assert sent.status_code == 403 and "may register agreements" in sent.text


def _officer_role_checks(path: Path) -> list[int]:
    """Lines calling ``has_role`` with the officer role, however it is spelled."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "has_role"
        ):
            text = ast.unparse(node.args[0]) if node.args else ""
            if "officer" in text:
                found.append(node.lineno)
    return found


@pytest.mark.parametrize("module", ["drafts", "dashboard", "agreements"])
def test_the_web_keeps_no_copy_of_the_drafting_rule(module: str) -> None:
    path = ROOT / "api" / "web" / f"{module}.py"
    assert _officer_role_checks(path) == []
    assert "may_draft" in path.read_text()


def test_the_checker_sees_a_copied_rule(tmp_path: Path) -> None:
    copy = tmp_path / "copy.py"
    copy.write_text("def f(me):\n    return me.has_role(Role.officer) or me.has_role('officer')\n")
    assert _officer_role_checks(copy) == [2, 2]
