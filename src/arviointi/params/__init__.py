"""Parameters of an evaluation: the pydantic schema, loading with all problems at once,
and checks against the loaded data."""

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
