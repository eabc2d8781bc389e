"""Which parts of a case are exempt, for how long, and so what each viewer is not shown
(issue 12, fault 4).

A report has a public Part A and, where some of its information is exempt, one or more Part B
items. The law is about information, not about whole reports:

- Schedule 12A to the Local Government Act 1972, Part 1, paragraphs 1 to 7, are the
  descriptions of exempt information (3: "information relating to the financial or business
  affairs of any particular person (including the authority holding that information)").
- Schedule 12A paragraph 10: information within paragraphs 1 to 7 "is exempt information if
  and so long, as in all the circumstances of the case, the public interest in maintaining the
  exemption outweighs the public interest in disclosing the information". So each exemption
  needs that test recorded (who weighed it, when, why), and it lasts only "so long" as the
  balance holds: a review date, and a lapse date after which Part B is public.
- SI 2012/2089 (the Local Authorities (Executive Arrangements) (Meetings and Access to
  Information) (England) Regulations 2012) reg 4(2)(b) excludes the public "during an item of
  business" only, and reg 20(2)(b) lets the proper officer withhold a "document or part of
  document" that contains exempt information; the rest of the report, the decision records of
  regs 12 and 13 and the papers open to inspection under reg 14 stay public.

Part A is everything not named in a Part B's ``covers``. What a Part B may cover is
``ITEMS``; by default the options, the value, the resolution and the urgency reasons are
Part A. A case whose ``exempt_paragraph`` is set is the older all-or-nothing model: the whole
report is exempt under that paragraph, as before this module (kept so existing cases and API
clients behave as they did), and a lapse date does not apply to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from workflow.models import Case

# What a Part B may take out of Part A; each name is one fact or group of facts of the case.
ITEMS: Final[dict[str, str]] = {
    "summary": "the report's summary",
    "options": "the options considered, with why each was rejected",
    "recommended_option": "the recommended option",
    "reasons": "the reasons for the recommendation",
    "financial_implications": "the financial implications",
    "figures": "the value, the proposal's months and the envelope's figures",
    "resolution": "Cabinet's resolution and its reasons",
    "urgency_reason": "the urgency reasons",
    "sign_off": "the officer's reasons, alternatives, consultation and declarations",
}


def exempt_paragraph_of(case: Case) -> int | None:
    """The Schedule 12A paragraph the case holds exempt information under, if any: the whole
    report's, or else its first Part B's. It marks what the meeting takes in private (SI
    2012/2089 reg 5 notices), stamps audit events and gates who may act on the case; whether
    a given fact is shown is ``hidden``'s answer."""
    if case.exempt_paragraph is not None:
        return case.exempt_paragraph
    parts = case.exempt_parts or []
    return int(parts[0]["paragraph"]) if parts else None


def lapsed(case: Case, today: date) -> bool:
    """Whether the Part B exemption has lapsed: from ``exemption_lapses_on`` on, the public
    interest no longer favours it (Schedule 12A para 10, "so long as")."""
    return case.exemption_lapses_on is not None and today >= case.exemption_lapses_on


@dataclass(frozen=True)
class Hidden:
    """What one viewer is not shown of one case, today."""

    whole: int | None = None  # the all-or-nothing paragraph hiding everything
    items: dict[str, int] = field(default_factory=dict)  # item -> its Part B's paragraph
    parts: frozenset[int] = frozenset()  # indexes of the Part B items whose content is hidden

    def shows(self, item: str) -> bool:
        return self.whole is None and item not in self.items

    def paragraph(self, item: str) -> int | None:
        return self.whole if self.whole is not None else self.items.get(item)


NOTHING = Hidden()


def hidden(case: Case, entitled: bool, today: date) -> Hidden:
    """``entitled`` is ``exempt.entitled_to_case`` for this viewer: an entitled viewer sees
    everything; anyone else loses the whole report of an all-exempt case, or the Part B items
    in force (not lapsed)."""
    if entitled:
        return NOTHING
    if case.exempt_paragraph is not None:
        return Hidden(whole=case.exempt_paragraph, items=dict.fromkeys(ITEMS, 0))
    parts = case.exempt_parts or []
    if not parts or lapsed(case, today):
        return NOTHING
    items: dict[str, int] = {}
    for part in parts:
        for item in part.get("covers", []):
            items.setdefault(item, int(part["paragraph"]))
    return Hidden(items=items, parts=frozenset(range(len(parts))))


def stored_parts(parts: list[Any] | None) -> list[dict[str, Any]] | None:
    """The Part B items as stored: plain mappings, None for none."""
    if not parts:
        return None
    return [p if isinstance(p, dict) else p.model_dump(mode="json") for p in parts]
