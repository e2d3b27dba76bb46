"""arviointi: a workbench for evaluating public employment pilots.

The estimators live in one subpackage per model family (model, results, inference) and
are re-exported here: ``before_after``, ``did``, ``event_study``, ``staggered_did``,
``synthetic_control``, ``synthetic_did``. Data come in through :mod:`arviointi.data` only.

The re-exports are imported eagerly on purpose: three of them share their name with their
subpackage (``arviointi.did`` the function, ``arviointi.did`` the package). Importing the
subpackage first binds the package to the name and the function import then rebinds it, so
``arviointi.did(...)`` is the estimator whatever was imported before or after. Use
``from arviointi.did import diagnostics`` (not ``import arviointi.did as m``) to reach a
subpackage module.
"""

from __future__ import annotations

__version__ = "0.1.0"

from arviointi.before_after.model import before_after
from arviointi.did.model import did
from arviointi.event_study.model import event_study
from arviointi.results.base import EffectResults, InferenceInfo
from arviointi.staggered.model import staggered_did
from arviointi.synth.model import synthetic_control
from arviointi.synth.sdid import synthetic_did

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
