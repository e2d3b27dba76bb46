"""The estimators' long loops report their steps to a progress listener (silent by default).

Each case runs one estimator under :func:`arviointi.progress.listening` and checks that the
listener heard the task start (``done == 0``) and finish (``done == total``) with the
number of steps the loop really has (placebos = donors, enumerations = all assignments).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from arviointi import progress
from arviointi.did.model import did
from arviointi.did.simulation import simulate_panel
from arviointi.event_study import event_study
from arviointi.inference import conley_taber, placebo_in_space
from arviointi.synth.model import synthetic_control
from arviointi.synth.sdid import synthetic_did

ARGS = {"unit": "unit", "time": "period", "treatment": "treated"}


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int, int | None]] = []

    def __call__(self, label: str, done: int, total: int | None) -> None:
        self.calls.append((label, done, total))

    def task(self, label: str) -> list[tuple[int, int | None]]:
        return [(d, t) for lab, d, t in self.calls if lab == label]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    return simulate_panel(np.random.default_rng(5), n_control=5, n_pre=12, n_post=4, rho=0.3)


def heard(run: Callable[[], object], monkeypatch: pytest.MonkeyPatch) -> Recorder:
    monkeypatch.setattr(progress, "MIN_INTERVAL_S", 0.0)
    rec = Recorder()
    with progress.listening(rec):
        run()
    return rec


def test_synthetic_control_placebos(panel: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    rec = heard(lambda: synthetic_control(panel, "y", **ARGS), monkeypatch)
    assert rec.task("synthetic control: placebos") == [(i, 5) for i in range(6)]


def test_sdid_scaled_placebos_and_permutation_draws(
    panel: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    rec = heard(lambda: synthetic_did(panel, "y", **ARGS, inference="scaled_dl"), monkeypatch)
    assert rec.task("synthetic DiD: scaled placebos") == [(i, 5) for i in range(6)]
    rec = heard(lambda: synthetic_did(panel, "y", **ARGS, inference="permutation"), monkeypatch)
    assert rec.task("synthetic DiD: permutation draws") == [(i, 5) for i in range(6)]


def test_event_study_permutations(panel: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    run = lambda: event_study(panel, "y", **ARGS, inference="permutation")  # noqa: E731
    steps = heard(run, monkeypatch).task("event study: permutations")
    assert steps[0] == (0, 6) and steps[-1] == (6, 6) and len(steps) == 7  # 6 assignments


def test_event_study_donald_lang_pretrend_permutations(
    panel: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = lambda: event_study(panel, "y", **ARGS, inference="donald_lang")  # noqa: E731
    steps = heard(run, monkeypatch).task("event study: pre-trend permutations")
    assert steps[0] == (0, 6) and steps[-1] == (6, 6)


def test_permutation_enumeration_and_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    c = np.random.default_rng(1).normal(size=10)
    treated = np.zeros(10, dtype=bool)
    treated[:2] = True
    rec = heard(lambda: placebo_in_space(c, treated), monkeypatch)
    assert rec.task("permutation: assignments")[-1] == (math.comb(10, 2), math.comb(10, 2))
    rec = heard(lambda: placebo_in_space(c, treated, max_draws=20, seed=1), monkeypatch)
    assert rec.task("permutation: draws") == [(i, 19) for i in range(20)]


def test_conley_taber_enumeration(monkeypatch: pytest.MonkeyPatch) -> None:
    c = np.random.default_rng(2).normal(size=8)
    treated = np.zeros(8, dtype=bool)
    treated[:2] = True
    rec = heard(lambda: conley_taber(c, treated, 0.5), monkeypatch)
    assert rec.task("Conley-Taber: enumeration")[-1] == (36, 36)  # 6 controls, 2 treated


def test_wild_bootstrap_interval_and_leave_one_out(monkeypatch: pytest.MonkeyPatch) -> None:
    df = simulate_panel(np.random.default_rng(3), n_control=8, n_pre=6, n_post=3, rho=0.2,
                        n_treated=6)  # fmt: skip
    res = did(df, "y", **ARGS, inference="wild", seed=1)
    rec = heard(res.conf_int, monkeypatch)
    assert rec.task("wild bootstrap: interval") == [(0, 2), (1, 2), (2, 2)]
    rec = heard(lambda: res.leave_one_out(estimates_only=True), monkeypatch)
    assert rec.task("leave one out") == [(i, 8) for i in range(9)]


def test_silent_without_a_listener(panel: pd.DataFrame, capsys: pytest.CaptureFixture[str]) -> None:
    assert not progress.active()
    res = synthetic_did(panel, "y", **ARGS, inference="scaled_dl")
    assert res.pvalue is not None
    assert capsys.readouterr() == ("", "")
