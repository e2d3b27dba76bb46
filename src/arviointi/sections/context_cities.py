"""City-level context (notebook employment_context, Varissuo): the REAL unemployment of the
city the pilot areas lie in (params ``design.city``, Turku for Varissuo) around the pilot
start against the other large cities of the source (StatFin 12r5).

This is context, not an estimate of the pilot's effect: the pilot district is a few per
cent of the city's labour force, so even a large district effect barely moves the city rate.
Two simple designs are reported with their assumptions stated:

* interrupted time series of the city's rate (trend + month-of-year dummies before the pilot,
  extrapolated after it; HAC standard errors);
* a difference-in-differences of the city against the other cities (city and month fixed
  effects; one treated city, so inference follows ``inference="auto"``: Donald-Lang).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from arviointi.errors import DesignError, InputError, ParamsError, Problem


@dataclass
class ContextAnalysis:
    """The city (``design.city``) against the other large cities.

    its, did : results objects (outcome ``unemployment_rate``, pp)
    path : month, observed (the city), counterfactual (its pre-period mean difference to
        the other cities plus their mean in the month), for the figure
    table : the two estimates (method, estimate, interval, p-value, inference)
    pilot_share : the pilot area's share of Turku's labour force in the last pre-pilot
        month (%), when the district data are present; else None
    cities : the comparison cities
    city : the city (``design.city``)
    """

    its: Any
    did: Any
    path: pd.DataFrame
    its_path: pd.DataFrame
    table: pd.DataFrame
    pilot_share: float | None
    cities: list[str]
    first: str
    last: str
    start: str
    city: str = ""


def _window(ctx: Any, frame: pd.DataFrame) -> pd.DataFrame:
    d = ctx.evaluation.design
    months = pd.to_datetime(frame["month"])
    lo, hi = pd.Timestamp(f"{d.pre_window[0]}-01"), pd.Timestamp(f"{d.post_window[1]}-01")
    out = frame.loc[(months >= lo) & (months <= hi)].copy()
    out["month"] = pd.to_datetime(out["month"])
    return out


def _pilot_share(
    ctx: Any, cities: pd.DataFrame, start: pd.Timestamp, city_name: str
) -> float | None:
    source = ctx.source_for("area_panel")
    districts = None
    for name, spec in ctx.evaluation.data.items():
        if spec.kind == "synthetic" and spec.schema_ == "area_panel":
            districts = ctx.frames.get(name)
    if districts is None or source is None or "labour_force" not in districts.columns:
        return None
    month = start - pd.DateOffset(months=1)
    pilot = districts.loc[
        districts["area"].isin(ctx.evaluation.design.pilot_areas)
        & (pd.to_datetime(districts["month"]) == month),
        "labour_force",
    ].sum()
    city = cities.loc[(cities["area"] == city_name) & (cities["month"] == month), "labour_force"]
    if city.empty or float(city.iloc[0]) <= 0 or pilot <= 0:
        return None
    return 100.0 * float(pilot) / float(city.iloc[0])


def _city(ctx: Any, frame: pd.DataFrame, source: str) -> str:
    """``design.city``, checked against the areas of ``source``."""
    city = ctx.evaluation.design.city
    if city is None:
        raise ParamsError(
            "<params>",
            [
                Problem(
                    "design.city",
                    "the city-level context needs the city the pilot areas lie "
                    "in (for example 'city: Turku')",
                )
            ],
        )
    if city not in set(frame["area"]):
        raise InputError(
            f"data source {source}",
            [Problem("column 'area'", f"expected {city!r} (design.city) among areas")],
        )
    return str(city)


def analyse_context(ctx: Any, source: str = "cities") -> ContextAnalysis:
    """ITS and DiD of the city's (``design.city``) unemployment rate against the other
    cities in ``source``."""
    from arviointi.before_after.model import before_after
    from arviointi.did.model import did

    frame = ctx.frames.get(source)
    if frame is None:
        raise InputError("<params>", [Problem(f"data.{source}", "no such data source")])
    city = _city(ctx, frame, source)
    ev = ctx.evaluation
    data = _window(ctx, frame)
    start = pd.Timestamp(f"{ev.design.pilot_start}-01")
    if not (data["month"] < start).any() or not (data["month"] >= start).any():
        raise DesignError(f"{source}: months on both sides of {start:%Y-%m} are needed")
    data = data.loc[data["unemployment_rate"].notna()]
    data["treated"] = ((data["area"] == city) & (data["month"] >= start)).astype(int)
    alpha = ev.inference.alpha
    city_series = data.loc[data["area"] == city, ["month", "unemployment_rate"]]
    bam = ev.models.before_after
    its = before_after(
        city_series,
        "unemployment_rate",
        time="month",
        start=start,
        method=bam.method,
        seasonality=bam.seasonality,
        hac_lags=bam.hac_lags,
        alpha=alpha,
        source=f"{source}: {city}",
    )
    its.model = "city_its"
    seed = ev.inference_seed
    dres = did(
        data,
        "unemployment_rate",
        unit="area",
        time="month",
        treatment="treated",
        inference=ev.models.did.inference,
        alpha=alpha,
        seed=seed,
        n_boot=ev.models.did.n_boot,
    )
    dres.model = "city_did"
    others = data.loc[data["area"] != city]
    mean_others = others.groupby("month")["unemployment_rate"].mean()
    pre = city_series["month"] < start
    gap = float(
        (city_series.loc[pre].set_index("month")["unemployment_rate"] - mean_others).dropna().mean()
    )
    path = pd.DataFrame(
        {
            "month": city_series["month"].to_numpy(),
            "observed": city_series["unemployment_rate"].to_numpy(),
            "counterfactual": (mean_others.reindex(city_series["month"]) + gap).to_numpy(),
        }
    )
    its_path = its.path.rename(columns={"time": "month"})
    its_path = its_path[["month", "observed", "counterfactual", "lower", "upper"]].copy()
    its_path.loc[~its.path["post"].astype(bool).to_numpy(), ["lower", "upper"]] = float("nan")
    rows = []
    for res in (its, dres):
        lo, hi = res.conf_int()
        rows.append(
            {
                "method": res.model,
                "estimate": res.estimate,
                "ci_low": lo,
                "ci_high": hi,
                "pvalue": res.pvalue,
                "inference": res.inference.method,
            }
        )
    return ContextAnalysis(
        its=its,
        did=dres,
        path=path,
        its_path=its_path,
        table=pd.DataFrame(rows),
        pilot_share=_pilot_share(ctx, data, start, city),
        cities=sorted(set(others["area"])),
        first=data["month"].min().strftime("%Y-%m"),
        last=data["month"].max().strftime("%Y-%m"),
        start=start.strftime("%Y-%m"),
        city=city,
    )


def emit_context(analysis: ContextAnalysis, em: Any) -> None:
    """Write the city-level context part of the employment section."""
    from arviointi.report.figures import counterfactual_figure

    em.section("employment")
    em.heading("area.context.heading")
    em.paragraph(
        "area.context.design",
        cities=", ".join(analysis.cities),
        first=analysis.first,
        last=analysis.last,
        start=analysis.start,
    )
    if analysis.pilot_share is not None:
        em.paragraph("area.context.share", share=float(analysis.pilot_share))
    else:
        em.paragraph("area.context.share_unknown")
    em.paragraph("area.context.caution_experiments")
    em.verdict(
        analysis.did, outcome_key="area.context.subject", unit_key="area.context.unit", decimals=2
    )
    em.paragraph("area.context.its_text")
    em.verdict(
        analysis.its,
        outcome_key="area.context.subject_its",
        unit_key="area.context.unit",
        decimals=2,
    )
    em.table(
        analysis.table,
        "area.context.caption.table",
        level="area",
        columns={
            "method": "area.column.method",
            "estimate": "area.column.estimate",
            "ci_low": "area.column.ci_low",
            "ci_high": "area.column.ci_high",
            "pvalue": "area.column.pvalue",
            "inference": "area.column.inference",
        },
        formats={
            "estimate": "number:2",
            "ci_low": "number:2",
            "ci_high": "number:2",
            "pvalue": "pvalue",
        },
        translate={"method": "area.context.model", "inference": "area.inference_short"},
    )
    start = pd.Timestamp(f"{analysis.start}-01")
    em.figure(
        counterfactual_figure,
        "area.context.caption.did",
        "alt.counterfactual",
        frame=analysis.path,
        treatment_start=start,
    )
    em.figure(
        counterfactual_figure,
        "area.context.caption.its",
        "alt.counterfactual",
        frame=analysis.its_path,
        treatment_start=start,
    )
    for res in (analysis.did, analysis.its):
        em.record(res, true_effect=None, role="context", level="city", unit="area.unit.pp")
