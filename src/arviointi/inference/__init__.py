"""Covariance estimators and design-based inference, shared by every estimator.

Public names (kept stable for the other estimators):

* :class:`Design` and :func:`choose` -- design facts and the ``inference="auto"`` rule;
* :func:`vcov_classical`, :func:`vcov_hc1`, :func:`vcov_cr1` -- covariance matrices with the
  fixest/reghdfe small-sample factors;
* :func:`wild_cluster_bootstrap` -- WCR with Rademacher/Webb weights, inverted interval;
* :func:`placebo_in_space` -- permutation over clusters, exact test inversion, p-value floor;
* :func:`conley_taber` -- Conley and Taber (2011) for few treated groups;
* :func:`donald_lang` -- Donald and Lang (2007) aggregated t test (``auto`` with few clusters);
* :class:`InferenceOutcome` -- what each routine returns.

Example::

    method, reason, warns = choose(Design(n_treated=1, n_control=4, n_pre=60, n_post=24))
    out = donald_lang(contrasts, treated_mask)  # out.se, out.df, out.pvalue
"""

from arviointi.estimation.vcov import cr1_factor, vcov_classical, vcov_cr1, vcov_hc1
from arviointi.inference.aggregated import donald_lang
from arviointi.inference.conley_taber import conley_taber
from arviointi.inference.design import METHODS, Design, choose
from arviointi.inference.outcome import InferenceOutcome
from arviointi.inference.permutation import invert_linear_test, placebo_in_space
from arviointi.inference.wild import wild_cluster_bootstrap

__all__ = [
    "METHODS",
    "Design",
    "InferenceOutcome",
    "choose",
    "conley_taber",
    "cr1_factor",
    "donald_lang",
    "invert_linear_test",
    "placebo_in_space",
    "vcov_classical",
    "vcov_cr1",
    "vcov_hc1",
    "wild_cluster_bootstrap",
]
