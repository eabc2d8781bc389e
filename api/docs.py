"""Swagger UI for the API at ``/api/v1/docs``, from assets this service serves itself.

FastAPI's own docs page loads Swagger UI from a CDN, unpinned and without integrity checks, on
the same origin as the session cookie, and starts it with an inline script. Here the assets are
``swagger-ui-dist`` at the version pinned in ``package.json``, built into ``/static/swagger/``
beside the GOV.UK assets, and started by a file, so the page keeps the same
Content-Security-Policy as every other (``api/headers.py``). ``COUNCILFLOW_API_DOCS=0`` turns
the page off (404); the OpenAPI document itself stays.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import HTMLResponse

from api.params import API_PREFIX

router = APIRouter()

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CouncilFlow API v1</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/swagger/init.js"></script>
</body>
</html>
"""


@router.get(f"{API_PREFIX}/docs", include_in_schema=False)
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(PAGE.format(openapi=f"{API_PREFIX}/openapi.json"))
