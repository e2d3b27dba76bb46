"""Route a non-pandas input of :func:`arviointi.did.did` to the engine or to pandas.

:func:`arviointi.engine.choice.choose_engine` decides; small inputs are copied (only the
used columns) into pandas and fitted in memory, large ones are fitted in DuckDB or
Spark. A large input with a request only the in-memory path serves (the 2x2 form,
weights, design-based inference) gets a DesignError that says how to proceed.
"""

from __future__ import annotations

from typing import Any

from arviointi.data.frames import to_pandas
from arviointi.did.results import DiDResults
from arviointi.engine.choice import choose_engine
from arviointi.engine.determinism import settle_result
from arviointi.errors import DesignError
from arviointi.event_study.results import EventStudyResults


def route_did(data: Any, outcome: str, spec: dict[str, Any], fit: Any) -> DiDResults:
    """Fit ``did`` on ``data`` (not pandas); ``fit`` is the in-memory :func:`did`."""
    engine, reason = choose_engine(data, spec.pop("engine", "auto"))
    used = [
        outcome,
        *(spec.get("covariates") or []),
        *[
            spec.get(k)
            for k in ("unit", "time", "treatment", "group", "post", "weights", "cluster")
        ],
    ]
    if engine == "pandas":
        res: DiDResults = fit(to_pandas(data, used), outcome, **spec)
        res.inference.details["engine"] = "pandas"
        res.inference.details["engine_reason"] = reason
        return settle_result(res)  # the same digits as the engines' (determinism.py)
    blockers = [
        what
        for what, bad in (
            ("the 2x2 form (group=, post=)", spec.get("treatment") is None),
            ("weights=", spec.get("weights") is not None),
            (
                f"inference={spec.get('inference')!r}",
                spec.get("inference") not in ("auto", "cluster", "classical"),
            ),
        )
        if bad
    ]
    if blockers:
        raise DesignError(
            f"{reason}; the {engine} engine fits the panel form with unit and time effects "
            f"and CR1 or classical errors, not {', '.join(blockers)}: pass a pandas extract "
            "(or engine: pandas) for that"
        )
    from arviointi.engine.fe_did import did as engine_did

    res = engine_did(
        data,
        outcome,
        unit=spec["unit"],
        time=spec["time"],
        treatment=spec["treatment"],
        covariates=spec.get("covariates"),
        cluster=spec.get("cluster"),
        inference=spec.get("inference", "auto"),
        alpha=spec.get("alpha", 0.05),
        engine=engine,
    )
    res.inference.details["engine_reason"] = reason
    return res


def route_event_study(data: Any, outcome: str, spec: dict[str, Any]) -> EventStudyResults | None:
    """The engine's event study for a large input; None when pandas should fit it."""
    engine, reason = choose_engine(data, spec.pop("engine", "auto"))
    if engine == "pandas":
        return None
    blockers = []
    if spec.get("bands", "pointwise") != "pointwise":
        blockers.append("bands='uniform'")
    if spec.get("inference", "auto") not in ("auto", "cluster", "classical"):
        blockers.append(f"inference={spec.get('inference')!r}")
    if blockers:
        raise DesignError(
            f"{reason}; the {engine} engine computes pointwise CR1 or classical event-study "
            f"intervals, not {', '.join(blockers)}: pass a pandas extract (engine: pandas)"
        )
    from arviointi.engine.event_study import event_study as engine_event_study

    res = engine_event_study(
        data,
        outcome,
        unit=spec["unit"],
        time=spec["time"],
        treatment=spec["treatment"],
        window=spec.get("window"),
        reference=spec.get("reference", -1),
        inference=spec.get("inference", "auto"),
        alpha=spec.get("alpha", 0.05),
        engine=engine,
    )
    res.inference.details["engine_reason"] = reason
    return res
