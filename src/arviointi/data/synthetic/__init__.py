"""Seeded synthetic Turku data with planted true effects (SYNTHETIC, never real persons).

``generate_turku(seed)`` returns a :class:`SyntheticTurku` with the area panel, clients,
client panel, survey, cost ledger and invoices (column names as in docs/data-schemas.md),
calibrated to the published December 2011 figures, plus ``truth`` (realised effects of the
planted pilot) and ``metadata``. See data/synthetic/README.md.
"""

from .benefit_rules import DAILY_SUBSIDY_EUR, municipal_days, municipal_share_eur
from .truth import OUTCOMES, TrueEffects, Truth
from .turku import (
    GENERATOR_VERSION,
    TABLES,
    SyntheticTurku,
    generate_turku,
    load_synthetic,
    load_truth,
)

__all__ = [
    "DAILY_SUBSIDY_EUR",
    "GENERATOR_VERSION",
    "OUTCOMES",
    "TABLES",
    "SyntheticTurku",
    "TrueEffects",
    "Truth",
    "generate_turku",
    "load_synthetic",
    "load_truth",
    "municipal_days",
    "municipal_share_eur",
]
