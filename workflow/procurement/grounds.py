"""Each lawful ground of each regime, as data: what it tests, its cap, and the notice it needs.

PCR 2015 reg 72 (SI 2015/102):
- (1)(a) ``provided_for``: modifications "provided for in the initial procurement documents
  in clear, precise and unequivocal review clauses, which may include ... options"; an
  extension holds while the months taken stay within the options the contract states.
- (1)(b) ``additional`` and (1)(c) ``unforeseeable``: any increase in price may not exceed
  50% of the value of the original contract, and where several successive modifications are
  made the limitation applies to the value of each modification (reg 72(2)); the authority
  publishes a modification notice (reg 72(3)).
- (1)(d) ``replacement_contractor``: a new contractor replaces the original one; that is
  not an extension of the term, so it never holds for one.
- (1)(e) ``not_substantial``: "irrespective of their value, not substantial within the
  meaning of paragraph (8)"; reg 72(8) lists what makes a modification substantial (other
  candidates, the economic balance, a considerable extension of scope, a new contractor)
  without any figure, so CouncilFlow shows the figures and leaves the judgement recorded.
- (5)-(6) ``below_threshold``: de minimis, below both the reg 5 threshold and 10% (services,
  supplies) or 15% (works) of the initial value, successive modifications cumulatively.
- reg 12 ``in_house``: a contract with a body the council controls is outside the
  Regulations, so there is no modification test at all.

Procurement Act 2023 s.74(1): a modification is lawful if it is a permitted modification
(Schedule 8), is not a substantial modification (s.74(3)), or is a below-threshold
modification (s.74(4)):
- Sch 8 para 1 ``provided_for``: unambiguously provided for in the contract as awarded and
  the tender or transparency notice, not changing the overall nature of the contract.
- Sch 8 para 2 ``urgency``: its purpose could otherwise be achieved by a direct award for
  extreme and unavoidable urgency (Sch 5 para 13) or to protect life (s.42).
- Sch 8 para 4 ``unforeseeable``: could not reasonably have been foreseen before award, not
  changing the overall nature, and not increasing the estimated value by more than 50%.
- Sch 8 para 5 ``known_risk``: a known risk identified in the tender or transparency notice
  has materialised; again no more than 50% of the estimated value.
- Sch 8, additional goods, services or works ``additional``: no more than 50%.
- Sch 8 para 9, novation or assignment on corporate restructuring (so s.75(2) names it)
  ``replacement_contractor``: not an extension.
- s.74(3) ``not_substantial``: not more than 10% of the maximum term on award, and no
  material change to the scope or the economic balance in the supplier's favour.
- s.74(4) ``below_threshold``: not more than 10% / 15% of the value, in aggregate.
- Sch 2 para 2 ``in_house``: an exempted contract (vertical arrangements), so no test.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.models import Ground, ProcurementRegime

PCR = ProcurementRegime.pcr2015
PA = ProcurementRegime.pa2023

MODIFICATION_NOTICE = "modification_notice"  # PCR reg 72(3)
CONTRACT_CHANGE_NOTICE = "contract_change_notice"  # PA s.75


@dataclass(frozen=True)
class GroundRule:
    """One ground under one regime. ``value_cap_pct``: the most each modification may add to
    the value on award; ``within_options``: the months may not pass the extension options
    the contract states; ``term_test``/``below_threshold``: the regime's figures apply;
    ``exempt``: no modification test at all; ``judgement``: what the council must itself be
    satisfied of (no figure tests it); ``extends``: whether the ground can ever extend a term."""

    ground: Ground
    regime: ProcurementRegime
    citation: str
    words: str
    value_cap_pct: int | None = None
    within_options: bool = False
    term_test: bool = False
    below_threshold: bool = False
    exempt: bool = False
    judgement: str | None = None
    notice: str | None = None
    extends: bool = True


_OVERALL_NATURE = "the modification does not change the overall nature of the contract"

RULES: dict[tuple[ProcurementRegime, Ground], GroundRule] = {
    (r.regime, r.ground): r
    for r in (
        GroundRule(
            Ground.provided_for,
            PCR,
            "PCR 2015 reg 72(1)(a)",
            "provided for in clear, precise and unequivocal review clauses",
            within_options=True,
            judgement=_OVERALL_NATURE,
        ),
        GroundRule(
            Ground.additional,
            PCR,
            "PCR 2015 reg 72(1)(b), (2)",
            "additional services, supplies or works that have become necessary",
            value_cap_pct=50,
            judgement=(
                "a change of contractor cannot be made for economic or technical reasons and "
                "would cause significant inconvenience or substantial duplication of costs"
            ),
            notice=MODIFICATION_NOTICE,
        ),
        GroundRule(
            Ground.unforeseeable,
            PCR,
            "PCR 2015 reg 72(1)(c), (2)",
            "circumstances a diligent contracting authority could not have foreseen",
            value_cap_pct=50,
            judgement=_OVERALL_NATURE,
            notice=MODIFICATION_NOTICE,
        ),
        GroundRule(
            Ground.replacement_contractor,
            PCR,
            "PCR 2015 reg 72(1)(d)",
            "a new contractor replaces the one originally awarded the contract",
            extends=False,
        ),
        GroundRule(
            Ground.not_substantial,
            PCR,
            "PCR 2015 reg 72(1)(e), (8)",
            "not substantial",
            judgement=(
                "none of reg 72(8)(a)-(d) applies: no other candidates would have been admitted, "
                "the economic balance does not shift to the contractor, the scope is not "
                "extended considerably, and the contractor is not replaced"
            ),
        ),
        GroundRule(
            Ground.below_threshold,
            PCR,
            "PCR 2015 reg 72(5)-(6)",
            "de minimis: below the threshold and the percentage of the initial value",
            below_threshold=True,
            judgement=_OVERALL_NATURE,
        ),
        GroundRule(
            Ground.in_house,
            PCR,
            "PCR 2015 reg 12",
            "a contract with a body the council controls, outside the Regulations",
            exempt=True,
        ),
        GroundRule(
            Ground.provided_for,
            PA,
            "Procurement Act 2023 Sch 8 para 1",
            "unambiguously provided for in the contract and its tender or transparency notice",
            within_options=True,
            judgement=_OVERALL_NATURE,
            notice=CONTRACT_CHANGE_NOTICE,
        ),
        GroundRule(
            Ground.urgency,
            PA,
            "Procurement Act 2023 Sch 8 paras 2-3",
            "urgency and the protection of life",
            judgement=(
                "its purpose could otherwise be achieved by a direct award for extreme and "
                "unavoidable urgency (Sch 5 para 13) or to protect life (s.42)"
            ),
            notice=CONTRACT_CHANGE_NOTICE,
        ),
        GroundRule(
            Ground.unforeseeable,
            PA,
            "Procurement Act 2023 Sch 8 para 4",
            "circumstances that could not reasonably have been foreseen before the award",
            value_cap_pct=50,
            judgement=_OVERALL_NATURE,
            notice=CONTRACT_CHANGE_NOTICE,
        ),
        GroundRule(
            Ground.known_risk,
            PA,
            "Procurement Act 2023 Sch 8 paras 5-6",
            "a known risk identified in the tender or transparency notice has materialised",
            value_cap_pct=50,
            judgement=(
                "the risk was identified in the tender or transparency notice, was caused by "
                "neither party, and modifying is in the public interest"
            ),
            notice=CONTRACT_CHANGE_NOTICE,
        ),
        GroundRule(
            Ground.additional,
            PA,
            "Procurement Act 2023 Sch 8 (additional goods, services or works)",
            "additional goods, services or works from the same supplier",
            value_cap_pct=50,
            judgement=(
                "a different supplier would mean incompatible or disproportionately difficult "
                "goods, services or works"
            ),
            notice=CONTRACT_CHANGE_NOTICE,
        ),
        GroundRule(
            Ground.replacement_contractor,
            PA,
            "Procurement Act 2023 Sch 8 para 9 (novation or assignment on corporate restructuring)",
            "the contract passes to a supplier after a corporate restructuring",
            extends=False,
            notice=CONTRACT_CHANGE_NOTICE,
        ),
        GroundRule(
            Ground.not_substantial,
            PA,
            "Procurement Act 2023 s.74(1)(b), (3)",
            "not a substantial modification",
            term_test=True,
            judgement=(
                "it does not materially change the scope of the contract or its economic "
                "balance in favour of the supplier (s.74(3)(b)-(c))"
            ),
            notice=CONTRACT_CHANGE_NOTICE,
        ),
        GroundRule(
            Ground.below_threshold,
            PA,
            "Procurement Act 2023 s.74(1)(c), (4)",
            "a below-threshold modification",
            below_threshold=True,
            judgement=_OVERALL_NATURE,
            notice=CONTRACT_CHANGE_NOTICE,
        ),
        GroundRule(
            Ground.in_house,
            PA,
            "Procurement Act 2023 Sch 2 para 2",
            "an exempted contract with a body the council controls (vertical arrangement)",
            exempt=True,
        ),
    )
}


def rule(regime: ProcurementRegime, ground: Ground) -> GroundRule | None:
    """The ground under the regime, or ``None`` where the regime has no such ground (the 2015
    Regulations have neither ``urgency`` nor ``known_risk``)."""
    return RULES.get((regime, ground))


# The grounds in the council's words, for the pages (the API speaks the values).
GROUND_WORDS: dict[Ground, str] = {
    Ground.provided_for: "Provided for in the contract (review clauses or extension options)",
    Ground.additional: "Additional goods, services or works from the same supplier",
    Ground.unforeseeable: "Unforeseeable circumstances",
    Ground.not_substantial: "Not a substantial modification",
    Ground.below_threshold: "Below-threshold (de minimis) modification",
    Ground.in_house: "In-house: a body the council controls (exempt)",
    Ground.replacement_contractor: "A new contractor replaces the original one",
    Ground.urgency: "Urgency and the protection of life (Procurement Act 2023 only)",
    Ground.known_risk: "A known risk has materialised (Procurement Act 2023 only)",
}
