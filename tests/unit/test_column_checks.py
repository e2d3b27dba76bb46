"""One missing-column check for every estimator, analysis and the data layer."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from arviointi.column_checks import require_columns
from arviointi.did import did
from arviointi.errors import InputError
from arviointi.event_study import event_study
from arviointi.matching.fe_did import person_fe_did


def test_every_missing_column_named_with_purpose_and_what_is_there() -> None:
    frame = pd.DataFrame({"area": ["a"], "month": [1]})
    with pytest.raises(InputError) as err:
        require_columns(frame, ["area", "y", "w", "y"], "<panel>", purpose="the area panel")
    text = str(err.value)
    assert "<panel>" in text and "column 'y'" in text and "column 'w'" in text
    assert text.count("column 'y'") == 1 and "the area panel" in text
    assert "available columns: area, month" in text
    require_columns(frame, ["area"], "<panel>")  # present: no error


def test_not_a_frame_and_inputs_known_only_by_their_column_names() -> None:
    with pytest.raises(InputError, match="expected a pandas DataFrame, got list"):
        require_columns([1, 2], ["a"], "<x>")
    with pytest.raises(InputError, match="column 'b'"):
        require_columns("data/*.parquet", ["a", "b"], "data/*.parquet", have=["a"])


def _did(f: pd.DataFrame) -> object:
    return did(f, "y", unit="u", time="t", treatment="d")


def _event_study(f: pd.DataFrame) -> object:
    return event_study(f, "y", unit="u", time="t", treatment="d")


def _person_fe_did(f: pd.DataFrame) -> object:
    return person_fe_did(f, outcome="y")


@pytest.mark.parametrize("call", [_did, _event_study, _person_fe_did])
def test_the_estimators_share_the_message(call: Callable[[pd.DataFrame], object]) -> None:
    frame = pd.DataFrame({"u": [1], "t": [1]})
    with pytest.raises(InputError, match=r"missing.*available columns: u, t"):
        call(frame)
