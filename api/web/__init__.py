"""The web pages (GOV.UK Design System), served by the same app over the same domain calls.

``router`` is what ``api.app.create_app`` includes; each page family lives in its own module.
``drafts`` comes before ``cases`` so that ``/cases/new`` is not taken for a case id, and
``documents`` before ``agreements`` so that ``/agreements/register.html`` is not either.
"""

from fastapi import APIRouter

from api.web import (
    actions,
    agreement_facts,
    agreements,
    auth,
    calendar,
    cases,
    council,
    dashboard,
    documents,
    drafts,
    first_run,
    notice_forms,
    oidc,
    tokens,
)

router = APIRouter(include_in_schema=False)
# ``agreement_facts`` after ``agreements``: /agreements/import is not an agreement id.
for _module in (
    auth,
    oidc,
    first_run,
    dashboard,
    documents,
    drafts,
    cases,
    actions,
    notice_forms,
    agreements,
    agreement_facts,
    calendar,
    tokens,
    council,
):
    router.include_router(_module.router)
