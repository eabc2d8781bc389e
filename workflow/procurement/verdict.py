"""Whether a proposal's ground holds for an agreement, and the figure that broke it.

One function, ``assess``, answers for one agreement and one modification; the
``lawful_modification`` guard (``workflow/lifecycle/guards.py``) and the case answers
(``procurement`` in ``CaseOut``) both read it, so the page, the API and the refusal say the
same thing. The law is cited in ``grounds.py`` and ``regimes.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction

from workflow.models import Agreement, ContractType, Ground, ProcurementRegime, pk
from workflow.procurement import facts
from workflow.procurement.figures import Figures, pct, pounds
from workflow.procurement.grounds import CONTRACT_CHANGE_NOTICE, GroundRule, rule
from workflow.procurement.regimes import REGIMES, threshold_pence

# PA 2023 s.77: a modification of a contract worth more than £5 million is published.
S77_PUBLICATION_PENCE = 500_000_000
# PA 2023 s.75(2): no contract change notice for a modification that changes "(a) ... the
# estimated value of the contract by (i) in the case of a contract for goods or services, 10
# per cent or less, (ii) in the case of a contract for works, 15 per cent or less, or (b) ...
# the term of the contract by 10 per cent or less of the maximum term provided for on award".
S75_VALUE_PCT = {ContractType.goods: 10, ContractType.services: 10, ContractType.works: 15}
S75_TERM_PCT = 10


@dataclass(frozen=True)
class Test:
    """One figure against one cap: ``held`` whether it stayed within."""

    name: str
    figure: Fraction
    cap: Fraction
    unit: str  # "%" or "£"
    inclusive: bool
    citation: str

    @property
    def held(self) -> bool:
        return self.figure <= self.cap if self.inclusive else self.figure < self.cap


@dataclass(frozen=True)
class Verdict:
    agreement_id: int
    reference: str
    regime: ProcurementRegime | None
    ground: Ground | None
    holds: bool
    reason: str | None = None
    citation: str | None = None
    figures: Figures | None = None
    tests: tuple[Test, ...] = ()
    judgement: str | None = None  # what the council must itself be satisfied of
    notices: tuple[str, ...] = ()
    publish_modification: bool = False  # PA 2023 s.77
    missing: tuple[str, ...] = field(default_factory=tuple)
    # Why no contract change notice is owed where the ground would need one: the limb of
    # s.75(2) (``ccn_exception``) or s.75(6)(b) (light touch).
    notice_exception: str | None = None


def assess(
    agreement: Agreement, ground: Ground | None, months: int | None, earlier: int, today: date
) -> Verdict:
    """Does ``ground`` hold for ``months`` more of ``agreement``, after ``earlier`` months of
    earlier modifications? ``months=None`` checks only what needs no figure (the facts, the
    ground, the exemptions), for a preview before the months are known."""
    base = Verdict(pk(agreement.id), agreement.reference, None, ground, holds=False)
    lacking = facts.missing(agreement)
    if lacking:
        words = ", ".join(facts.LABELS[n] for n in lacking)
        return _with(
            base,
            reason=f"agreement {agreement.reference} does not yet record {words}; it may not "
            "be extended until they are known",
            missing=tuple(lacking),
        )
    regime = ProcurementRegime(str(agreement.procurement_regime))
    base = _with(base, regime=regime)
    if ground is None:
        return _with(base, reason="the proposal names no lawful ground for the modification")
    figures = _figures(agreement, months, earlier)
    base = _with(base, figures=figures)
    found = rule(regime, ground)
    if found is None:
        return _with(
            base,
            reason=f"'{ground.value}' is not a ground under the {REGIMES[regime].name}, which "
            f"{agreement.reference} was procured under",
        )
    base = _with(base, citation=found.citation, judgement=found.judgement)
    if found.exempt:
        return _with(base, holds=True)
    if regime == ProcurementRegime.pa2023 and agreement.light_touch:
        # Light-touch contracts are outside the modification test and the contract change
        # notice (PA 2023 s.74, s.75; Cabinet Office guidance on contract modifications).
        return _with(
            base,
            holds=True,
            citation="Procurement Act 2023 s.74 (light touch)",
            notice_exception="Procurement Act 2023 s.75(6)(b)",
        )
    if not found.extends:
        return _with(
            base,
            reason=f"{found.citation} ({found.words}) changes who holds the contract, not its "
            f"term: it cannot ground an extension of {agreement.reference}",
        )
    if figures is None:
        return _with(base, holds=True)
    tests = _tests(found, agreement, figures, today)
    failed = next((t for t in tests if not t.held), None)
    return _with(
        base,
        holds=failed is None,
        tests=tests,
        reason=None if failed is None else _sentence(failed, found, figures, agreement),
        notices=_notices(found, agreement, figures),
        notice_exception=ccn_exception(found, agreement, figures)
        if found.notice == CONTRACT_CHANGE_NOTICE
        else None,
        publish_modification=regime == ProcurementRegime.pa2023
        and agreement.award_value_pence is not None
        and agreement.award_value_pence + figures.aggregate_value_change_pence
        > S77_PUBLICATION_PENCE,
    )


def _with(v: Verdict, **changes: object) -> Verdict:
    return replace(v, **changes)  # type: ignore[arg-type]


def _figures(agreement: Agreement, months: int | None, earlier: int) -> Figures | None:
    if months is None:
        return None
    assert agreement.award_max_months is not None and agreement.award_value_pence is not None
    return Figures(
        months=months,
        earlier_months=earlier,
        award_max_months=agreement.award_max_months,
        annual_value_pence=agreement.annual_value_pence,
        award_value_pence=max(agreement.award_value_pence, 1),
    )


def _tests(found: GroundRule, agreement: Agreement, f: Figures, today: date) -> tuple[Test, ...]:
    regime = REGIMES[found.regime]
    out: list[Test] = []
    if found.within_options:
        options = agreement.extension_options_months or 0
        out.append(
            Test(
                "months of extension options",
                Fraction(f.months + f.earlier_months),
                Fraction(options),
                "months",
                True,
                found.citation,
            )
        )
    if found.value_cap_pct is not None:
        out.append(
            Test(
                "value change",
                f.value_change_pct,
                Fraction(found.value_cap_pct),
                "%",
                True,
                found.citation,
            )
        )
    if found.term_test and regime.substantial_term_pct is not None:
        out.append(
            Test(
                "term change",
                f.term_change_pct,
                Fraction(regime.substantial_term_pct),
                "%",
                True,
                "Procurement Act 2023 s.74(3)(a)",
            )
        )
    if found.below_threshold:
        kind = ContractType(str(agreement.contract_type))
        out.append(
            Test(
                "aggregate value change",
                f.aggregate_value_change_pct,
                Fraction(regime.below_threshold_pct[kind]),
                "%",
                regime.below_threshold_inclusive,
                regime.below_threshold_citation,
            )
        )
        assert agreement.procurement_started_on is not None
        threshold = threshold_pence(
            found.regime, kind, bool(agreement.light_touch), agreement.procurement_started_on, today
        )
        out.append(
            Test(
                "aggregate value of the modifications",
                f.aggregate_value_change_pence,
                Fraction(threshold),
                "£",
                False,
                regime.below_threshold_citation,
            )
        )
    return tuple(out)


def _sentence(t: Test, found: GroundRule, f: Figures, agreement: Agreement) -> str:
    """The refusal in the council's words, naming the ground tried and the figure."""
    ext = f"a {f.months}-month extension"
    if t.name == "term change":
        return (
            f"{ext} of a {f.award_max_months}-month contract ({agreement.reference}) changes "
            f"the term by {pct(t.figure)}, more than the {pct(t.cap)} that makes a modification "
            f"not substantial ({t.citation})"
        )
    if t.name == "value change":
        return (
            f"{ext} of {agreement.reference} adds {pounds(f.value_change_pence)}, "
            f"{pct(t.figure)} of its {pounds(f.award_value_pence)} value on award, more than "
            f"the {pct(t.cap)} each modification may add under {t.citation}"
        )
    if t.name == "months of extension options":
        if t.cap == 0:
            return (
                f"{agreement.reference}'s contract provides for no extension, so {ext} is not "
                f"provided for ({t.citation})"
            )
        return (
            f"{ext} after {f.earlier_months} months already taken comes to {t.figure} months, "
            f"more than the {t.cap} months of extension {agreement.reference}'s contract "
            f"provides for ({t.citation})"
        )
    within = "not more than" if t.inclusive else "below"
    if t.unit == "%":
        return (
            f"{ext} of {agreement.reference} brings its modifications to {pct(t.figure)} of its "
            f"value on award; a below-threshold modification must be {within} {pct(t.cap)} "
            f"({t.citation})"
        )
    return (
        f"{ext} of {agreement.reference} brings its modifications to {pounds(t.figure)}; a "
        f"below-threshold modification must be {within} the {pounds(t.cap)} threshold "
        f"({t.citation})"
    )


def _notices(found: GroundRule, agreement: Agreement, f: Figures) -> tuple[str, ...]:
    """The notice the modification needs. PCR reg 72(3): a modification notice for (1)(b) and
    (c). PA 2023 s.75(1): a contract change notice first, unless s.75(2) excepts it (either of
    its limbs: ``ccn_exception``), or the contract is light touch (s.75(6)(b)) or exempt
    (both handled before this is reached)."""
    if found.notice is None:
        return ()
    if found.notice == CONTRACT_CHANGE_NOTICE and ccn_exception(found, agreement, f) is not None:
        return ()
    return (found.notice,)


def ccn_exception(found: GroundRule, agreement: Agreement, f: Figures) -> str | None:
    """The limb of Procurement Act 2023 s.75(2) that takes the modification out of s.75(1),
    or None: "(a)" where it changes the estimated value by 10% or less (goods, services) or
    15% or less (works), "(b)" where it changes the term by 10% or less of the maximum term
    on award. Neither applies to a permitted modification under Sch 8 para 9 (novation or
    assignment on corporate restructuring: ``replacement_contractor``). ``f`` is this
    modification's figures alone: s.75(4)-(5) (one that "could reasonably have been made
    together with an earlier modification") is the council's judgement, so a case's whole
    modification is tested as one and other cases' are not added (docs/procurement.md)."""
    if found.ground == Ground.replacement_contractor:
        return None
    if f.value_change_pct <= S75_VALUE_PCT[ContractType(str(agreement.contract_type))]:
        return "Procurement Act 2023 s.75(2)(a)"
    if f.term_change_pct <= S75_TERM_PCT:
        return "Procurement Act 2023 s.75(2)(b)"
    return None


def refusal(verdicts: list[Verdict]) -> str | None:
    """One sentence for a guard: the first agreement the ground fails for, and how many more."""
    failing = [v for v in verdicts if not v.holds]
    if not failing:
        return None
    first = failing[0].reason or f"the ground does not hold for {failing[0].reference}"
    more = len(failing) - 1
    if more:
        plural = "s" if more > 1 else ""
        return f"{first}; it does not hold for {more} more agreement{plural} either"
    return first
