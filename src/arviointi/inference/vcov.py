"""Covariance estimators: moved to the estimation kernel, :mod:`arviointi.estimation.vcov`.

Kept so that ``arviointi.inference.vcov`` imports keep working.
"""

from arviointi.estimation.vcov import (
    cluster_scores,
    cr1_factor,
    vcov_classical,
    vcov_cr1,
    vcov_hc1,
)

__all__ = ["cluster_scores", "cr1_factor", "vcov_classical", "vcov_cr1", "vcov_hc1"]
