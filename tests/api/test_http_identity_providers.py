"""Identity providers over HTTP (issue 10, part 3): an admin adds and lists them, the client
secret never comes back, anyone else is refused, and a bad provider is a 422 naming the
field."""

from __future__ import annotations

from httpcase import Caller, problem_of

People = dict[str, Caller]
BODY = {
    "name": "Sefton Council",
    "issuer": "https://login.example.gov.uk/sefton/v2.0",
    "client_id": "councilflow",
    "client_secret": "s3cret",
    "roles_claim": "roles",
    "role_mapping": {"CouncilFlow.Officer": "officer"},
}


def test_an_admin_adds_and_lists_providers_without_their_secret(people: People) -> None:
    admin = people["admin"]
    made = admin.ok(admin.post("/identity-providers", BODY), 201)
    assert made["has_client_secret"] is True and "client_secret" not in made
    assert made["provisioning"] == "pre_registered" and made["end_session"] is True
    assert made["role_mapping"] == {"CouncilFlow.Officer": "officer"}
    listed = admin.ok(admin.get("/identity-providers"))
    assert [p["issuer"] for p in listed] == [BODY["issuer"]]
    assert "s3cret" not in admin.get("/identity-providers").text
    problem_of(admin.post("/identity-providers", BODY), 409)


def test_only_an_admin_manages_providers(people: People) -> None:
    officer = people["officer"]
    problem_of(officer.post("/identity-providers", BODY), 403)
    problem_of(officer.get("/identity-providers"), 403)


def test_a_bad_provider_is_a_422_naming_the_field(people: People) -> None:
    admin = people["admin"]
    for change, field in (
        ({"issuer": "http://login.example.gov.uk"}, "issuer"),
        ({"role_mapping": {"x": "wizard"}}, "role_mapping"),
        ({"provisioning": "create"}, "create_role"),
    ):
        problem = problem_of(admin.post("/identity-providers", {**BODY, **change}), 422)
        assert field in str(problem), problem
    assert admin.ok(admin.get("/identity-providers")) == []
