"""The shared estimation kernel: design matrices, fixed-effect demeaning and covariances.

Every estimator builds its regressors with :mod:`.design`, absorbs fixed effects with
:mod:`.demean` and computes its analytic covariance with :mod:`.vcov` (classical, HC1 and
CR1 with the fixest/reghdfe small-sample factors; the ``_wls`` forms for weighted
least squares), so a number such as a clustered
standard error is computed in one place. The estimators (``did``, ``event_study``,
``before_after``, ``matching``...) sit above this package; inference methods that are not
a covariance matrix (wild bootstrap, permutations, Donald-Lang) live in
:mod:`arviointi.inference` and also use this kernel. This package imports nothing else
from arviointi.
"""

from arviointi.estimation.demean import Demeaned, DemeanNotConverged, demean, demean_converged
from arviointi.estimation.design import indicators
from arviointi.estimation.vcov import (
    cluster_scores,
    cr1_factor,
    vcov_classical,
    vcov_cr1,
    vcov_cr1_wls,
    vcov_hc1,
    vcov_hc1_wls,
)

__all__ = [
    "DemeanNotConverged",
    "Demeaned",
    "cluster_scores",
    "cr1_factor",
    "demean",
    "demean_converged",
    "indicators",
    "vcov_classical",
    "vcov_cr1",
    "vcov_cr1_wls",
    "vcov_hc1",
    "vcov_hc1_wls",
]
