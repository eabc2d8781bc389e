"""An agreement's procurement facts (SPEC §9) and which of them are still unknown.

The modification tests of both regimes read the regime, the contract's type, whether it is a
light-touch contract, and its value and maximum term on award (PCR 2015 reg 72(5), (7)-(8);
Procurement Act 2023 s.74(3)-(4)). Without them no ground can be tested, so an agreement
missing any is flagged in its answer and page and may not be extended until they are known.
``extension_options_months`` is not among them: null there means the contract provides for no
extension, which is itself a fact.
"""

from __future__ import annotations

from workflow.models import Agreement

REQUIRED = (
    "procurement_regime",
    "procurement_started_on",
    "light_touch",
    "contract_type",
    "award_value_pence",
    "award_max_months",
)

LABELS = {
    "procurement_regime": "the procurement regime",
    "procurement_started_on": "the date its procurement began",
    "light_touch": "whether it is a light-touch contract",
    "contract_type": "goods, services or works",
    "award_value_pence": "its value on award",
    "award_max_months": "its maximum term on award",
}


def missing(agreement: Agreement) -> list[str]:
    """The required facts ``agreement`` does not yet record, in the order of ``REQUIRED``."""
    return [name for name in REQUIRED if getattr(agreement, name) is None]
