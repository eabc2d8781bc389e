"""The web pages (GOV.UK Design System), served by the same app over the same domain calls.

``router`` is what ``api.app.create_app`` includes; each page family lives in its own module.
``drafts`` comes before ``cases`` so that ``/cases/new`` is not taken for a case id.
"""

from fastapi import APIRouter

from api.web import actions, agreements, auth, calendar, cases, dashboard, drafts, oidc

router = APIRouter(include_in_schema=False)
for _module in (auth, oidc, dashboard, drafts, cases, actions, agreements, calendar):
    router.include_router(_module.router)
