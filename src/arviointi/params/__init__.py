"""Parameters of an evaluation: the pydantic schema, loading with all problems at once,
and checks against the loaded data."""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.params.checks import check_against_data
    from arviointi.params.load import load_frames, load_params, resolve_params_path, validate_params
    from arviointi.params.schema import Evaluation

__all__ = [
    "Evaluation",
    "check_against_data",
    "load_frames",
    "load_params",
    "resolve_params_path",
    "validate_params",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "Evaluation": "arviointi.params.schema",
        "check_against_data": "arviointi.params.checks",
        "load_frames": "arviointi.params.load",
        "load_params": "arviointi.params.load",
        "resolve_params_path": "arviointi.params.load",
        "validate_params": "arviointi.params.load",
    },
)
