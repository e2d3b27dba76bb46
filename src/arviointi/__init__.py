"""arviointi: a workbench for evaluating public employment pilots.

The estimators live in one subpackage per model family (model, results, inference) and
are re-exported here: ``before_after``, ``did``, ``event_study``, ``staggered_did``,
``synthetic_control``, ``synthetic_did``. Data come in through :mod:`arviointi.data` only.

Imports are lazy so that ``import arviointi`` stays fast for the CLI.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_API = {
    "before_after": "arviointi.before_after.model",
    "did": "arviointi.did.model",
    "event_study": "arviointi.event_study.model",
    "staggered_did": "arviointi.staggered.model",
    "synthetic_control": "arviointi.synth.model",
    "synthetic_did": "arviointi.synth.sdid",
    "EffectResults": "arviointi.results.base",
    "InferenceInfo": "arviointi.results.base",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'arviointi' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
