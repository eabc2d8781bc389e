"""The web pages (GOV.UK Design System), served by the same app over the same domain calls."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
