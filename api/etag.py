"""``ETag`` and ``If-Match`` for cases: the ETag is the case's ``version``.

A client that read version 3 and sends ``If-Match: W/"3"`` with a change is told 412 if
someone has moved the case on since, instead of silently acting on what it never saw. The
version check itself is the domain's (``expected_version``); this module only translates
the header. Weak and strong forms are both accepted: the version says the same either way.
"""

from __future__ import annotations

import re

from workflow.errors import PreconditionFailed

_TAG = re.compile(r'^(?:W/)?"(\d{1,18})"$')


def etag(version: int) -> str:
    return f'W/"{version}"'


def expected_version(if_match: str | None, current: int | None = None) -> int | None:
    """The version the client expects, or None when it sent no precondition (or ``*``).

    With several tags, the one equal to ``current`` (if given) is chosen, else the first, so
    the domain's check passes exactly when one of them is current.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    versions = []
    for part in if_match.split(","):
        found = _TAG.match(part.strip())
        if found is None:
            raise PreconditionFailed(
                f"If-Match {if_match!r} is not an ETag this service gave out; reload the case"
            )
        versions.append(int(found.group(1)))
    if current is not None and current in versions:
        return current
    return versions[0]
