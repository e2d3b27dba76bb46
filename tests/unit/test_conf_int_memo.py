"""EffectResults.conf_int computes an inverted-test interval once per alpha."""

from __future__ import annotations

from arviointi.results.base import EffectResults, InferenceInfo


def test_interval_method_runs_once_per_alpha_and_follows_a_new_method() -> None:
    calls: list[float] = []

    def interval(alpha: float) -> tuple[float, float]:
        calls.append(alpha)
        return (-alpha, alpha)

    res = EffectResults(
        estimate=0.0,
        se=None,
        pvalue=None,
        inference=InferenceInfo(method="wild", reason="test"),
        n_obs=10,
        n_treated=1,
        n_control=2,
        ci_method=interval,
    )
    assert res.conf_int() == (-0.05, 0.05)
    assert res.conf_int() == (-0.05, 0.05)
    assert res.conf_int(0.1) == (-0.1, 0.1)
    assert calls == [0.05, 0.1]
    res._ci_method = lambda alpha: (1.0, 2.0)
    assert res.conf_int() == (1.0, 2.0)
