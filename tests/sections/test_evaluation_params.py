"""What belongs to an evaluation is read from its params by the sections: the city of the
city-level context (design.city), the DiD's wild bootstrap draws (models.did.n_boot); and
the params layer points only down (it imports nothing from the sections)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from arviointi.did.model import did
from arviointi.errors import InputError, ParamsError
from arviointi.sections import area, context_cities, open_evaluation

ROOT = Path(__file__).resolve().parents[2]
SYNTH = ROOT / "tests/fixtures/params/sections_area.yaml"


@pytest.fixture(scope="module")
def ctx() -> Any:
    return open_evaluation(params_file=SYNTH)


def _with(ctx: Any, **design: Any) -> Any:
    params = ctx.params
    return open_evaluation(
        {**params, "design": {**params["design"], **design}}, root=ctx.evaluation.root
    )


def _mean_change_difference(frame: pd.DataFrame, treated: str, start: str) -> float:
    """The DiD of a balanced panel with one treated unit, by hand: the treated unit's change
    of mean (after - before) minus the comparisons' mean change."""
    post = pd.to_datetime(frame["month"]) >= pd.Timestamp(start)
    change = (
        frame.assign(post=post)
        .groupby(["area", "post"])["unemployment_rate"]
        .mean()
        .unstack("post")
        .pipe(lambda t: t[True] - t[False])
    )
    return float(change[treated] - change.drop(treated).mean())


def test_the_city_of_the_context_comes_from_params(ctx: Any) -> None:
    cities = ctx.frames["cities"]
    months = pd.to_datetime(cities["month"])
    cities = cities[(months >= "2009-01-01") & (months <= "2014-12-01")]
    for city in ("Turku", "Tampere"):
        analysis = context_cities.analyse_context(_with(ctx, city=city))
        assert analysis.city == city and city not in analysis.cities
        expected = _mean_change_difference(cities, city, "2013-01-01")
        assert analysis.did.estimate == pytest.approx(expected, abs=1e-9)


def test_a_context_without_a_city_or_with_an_unknown_one_is_refused(ctx: Any) -> None:
    with pytest.raises(ParamsError, match=r"design\.city"):
        context_cities.analyse_context(_with(ctx, city=None))
    with pytest.raises(InputError, match=r"'Atlantis' \(design\.city\)"):
        context_cities.analyse_context(_with(ctx, city="Atlantis"))


def _panel(n_units: int = 14, n_months: int = 12, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [
        {"area": f"a{u:02d}", "month": m, "treated": int(u < 4 and m >= 6)}
        for u in range(n_units)
        for m in range(n_months)
    ]
    frame = pd.DataFrame(rows)
    frame["y"] = rng.normal(size=len(frame)) + 0.5 * frame["treated"]
    return frame


def test_the_wild_bootstrap_draws_as_many_as_asked() -> None:
    frame = _panel()
    kw: dict[str, Any] = {"unit": "area", "time": "month", "treatment": "treated"}
    small = did(frame, "y", inference="wild", seed=1, n_boot=199, **kw)
    assert small.inference.details["n_draws"] == 199
    default = did(frame, "y", inference="wild", seed=1, **kw)
    assert default.inference.details["n_draws"] == 9999  # the default (2**14 sign vectors)
    assert default.estimate == small.estimate


def test_the_area_section_passes_models_did_n_boot(ctx: Any) -> None:
    params = ctx.params
    changed = {
        **params,
        "models": {**params["models"], "did": {"inference": "wild", "n_boot": 299}},
    }
    evaluation = open_evaluation(changed, root=ctx.evaluation.root).evaluation
    assert area._did_args(evaluation)["n_boot"] == 299
    assert area._did_args(ctx.evaluation)["n_boot"] == 9999  # the schema default


def test_the_params_layer_imports_nothing_from_the_sections() -> None:
    for path in (ROOT / "src" / "arviointi" / "params").glob("*.py"):
        assert "arviointi.sections" not in path.read_text(encoding="utf-8"), path
    code = (
        "import sys\n"
        "import arviointi.params.checks, arviointi.params.comparison, arviointi.params.load\n"
        "print(sorted(m for m in sys.modules if m.startswith('arviointi.sections')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
