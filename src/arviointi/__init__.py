"""arviointi: a workbench for evaluating public employment pilots.

The estimators live in one subpackage per model family (model, results, inference) and
are re-exported here: ``before_after``, ``did``, ``event_study``, ``staggered_did``,
``synthetic_control``, ``synthetic_did``. Data come in through :mod:`arviointi.data` only.

The re-exports are loaded on first use (:mod:`arviointi.lazy_exports`), so
``import arviointi`` and ``arviointi --version`` do not import statsmodels, scipy.stats,
matplotlib or papermill. Three of the names are also the names of their subpackage
(``arviointi.did`` the function, ``arviointi.did`` the package): importing a subpackage
would normally bind the package to the name, but
:class:`arviointi.lazy_exports.LazyPackage` refuses to let a submodule import replace an
exported name, so ``arviointi.did(...)`` is the estimator whatever was imported before or
after. Use ``from arviointi.did import diagnostics``
(not ``import arviointi.did as m``) to reach a subpackage module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from arviointi.before_after.model import before_after
    from arviointi.did.model import did
    from arviointi.event_study.model import event_study
    from arviointi.results.base import EffectResults, InferenceInfo
    from arviointi.staggered.model import staggered_did
    from arviointi.synth.model import synthetic_control
    from arviointi.synth.sdid import synthetic_did

_EXPORTS = {
    "EffectResults": "arviointi.results.base",
    "InferenceInfo": "arviointi.results.base",
    "before_after": "arviointi.before_after.model",
    "did": "arviointi.did.model",
    "event_study": "arviointi.event_study.model",
    "staggered_did": "arviointi.staggered.model",
    "synthetic_control": "arviointi.synth.model",
    "synthetic_did": "arviointi.synth.sdid",
}

__all__ = [
    "EffectResults",
    "InferenceInfo",
    "__version__",
    "before_after",
    "did",
    "event_study",
    "staggered_did",
    "synthetic_control",
    "synthetic_did",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
