"""The problem answers each route documents, so the OpenAPI schema lists every status a
client can meet (schemathesis holds the app to it).

FastAPI files an extra response's model under ``application/json``; ``problem_media_type``
moves every 4xx/5xx one to ``application/problem+json``, which is what goes on the wire.
"""

from __future__ import annotations

from typing import Any

from api.schemas import Problem

DESCRIPTIONS = {
    401: "No bearer token, or one that is not recognised",
    403: "The caller's roles do not allow this",
    404: "No such resource",
    409: "Not allowed in the current state, a guard failed, or a concurrent change won",
    412: "If-Match names a version that is no longer current",
    413: "The request body is larger than the configured limit",
    422: "Invalid fields, each one named",
    429: "Too many failed attempts from this address or at this account; see Retry-After",
    503: "The database or a component is unavailable",
}

AUTH = (401, 422, 429)
WRITE = (401, 403, 413, 422, 429)


def problems(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {"model": Problem, "description": DESCRIPTIONS[code]} for code in sorted(set(codes))
    }


def problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    for operation_set in schema.get("paths", {}).values():
        for operation in operation_set.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and "application/json" in content:
                    content["application/problem+json"] = content.pop("application/json")
    return schema
