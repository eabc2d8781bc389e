"""The ``procurement`` part of a case's answer (SPEC §9): for each agreement, the term and
value change as percentages, the caps they were tested against, the ground's verdict and
the notices due. Built from a ``Verdict`` (``verdict.assess``), the same the guard reads."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel

from workflow.models import Ground, ProcurementRegime
from workflow.procurement.notices import Modification, NoticeDue
from workflow.procurement.verdict import Verdict


class CapOut(BaseModel):
    name: str
    figure: float
    cap: float
    unit: str  # "%", "£" (pence shown as pounds) or "months"
    within: bool
    citation: str


class ProcurementOut(BaseModel):
    agreement_id: int
    reference: str
    regime: ProcurementRegime | None
    ground: Ground | None
    months: int | None  # the modification tested: the proposal's envelope
    earlier_months: int | None  # earlier modifications of the agreement, in other cases
    term_change_pct: float | None
    value_change_pct: float | None
    aggregate_value_change_pct: float | None
    caps: list[CapOut]
    holds: bool
    verdict: str  # "holds", "does not hold" or "facts missing"
    reason: str | None
    citation: str | None
    judgement: str | None  # what the council must itself be satisfied of
    notice_due: bool
    notices: list[str]
    publish_modification: bool  # Procurement Act 2023 s.77 (over £5 million)
    missing: list[str]
    # The provision that takes the modification out of s.75(1): s.75(2)(a), (b) or s.75(6)(b).
    notice_exception: str | None = None

    @classmethod
    def of(cls, v: Verdict, figures_shown: bool) -> ProcurementOut:
        """``figures_shown`` false for a viewer not entitled to an exempt case's figures: the
        months and values would give away what the case hides (``lifecycle.read``)."""
        f = v.figures if figures_shown else None
        return cls(
            agreement_id=v.agreement_id,
            reference=v.reference,
            regime=v.regime,
            ground=v.ground,
            months=f.months if f else None,
            earlier_months=f.earlier_months if f else None,
            term_change_pct=_round(f.term_change_pct) if f else None,
            value_change_pct=_round(f.value_change_pct) if f else None,
            aggregate_value_change_pct=_round(f.aggregate_value_change_pct) if f else None,
            caps=[
                CapOut(
                    name=t.name,
                    figure=_round(t.figure / 100 if t.unit == "£" else t.figure),
                    cap=_round(t.cap / 100 if t.unit == "£" else t.cap),
                    unit=t.unit,
                    within=t.held,
                    citation=t.citation,
                )
                for t in (v.tests if figures_shown else ())
            ],
            holds=v.holds,
            verdict="facts missing" if v.missing else ("holds" if v.holds else "does not hold"),
            reason=v.reason if figures_shown or v.missing else None,
            citation=v.citation,
            judgement=v.judgement,
            notice_due=bool(v.notices),
            notices=list(v.notices),
            publish_modification=v.publish_modification,
            missing=list(v.missing),
            notice_exception=v.notice_exception,
        )


def _round(value: object) -> float:
    return round(float(value), 2)  # type: ignore[arg-type]


class ProcurementNoticeOut(BaseModel):
    """One procurement notice the case owes or has published, with the modification it
    belongs to (``term_start``, the first day of the term the modification brings: what
    ``POST /cases/{id}/notices`` names as ``term_start`` when more than one owes the notice).
    A termination notice belongs to the agreement's end (``term_start`` null)."""

    kind: str
    agreement_id: int
    term_start: date | None
    made_on: date | None  # the day the modification was made; null before it is
    made_by: Literal["cabinet", "delegate"] | None  # Cabinet's own term, or a sign-off
    last_day: date  # the law's last day for the notice
    published_on: date | None
    reference: str | None
    status: Literal["owed", "published"]

    @classmethod
    def of(cls, due: NoticeDue, made: Modification | None) -> ProcurementNoticeOut:
        return cls(
            kind=due.kind,
            agreement_id=due.agreement_id,
            term_start=due.modification,
            made_on=made.made_on if made else None,
            made_by=made.by if made else None,  # type: ignore[arg-type]
            last_day=due.last_day,
            published_on=due.published_on,
            reference=due.reference,
            status="published" if due.published_on is not None else "owed",
        )
