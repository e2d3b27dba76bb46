"""Data quality (notebook data_quality): coverage, missing values, outliers, panel balance
and what was left out and why. Aggregate tables only: person-level sources appear as
counts (disclosure-controlled by the emitter), never as rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from arviointi.sections.comparison import ComparisonSet, resolve_comparison

#: |robust z| of a month-to-month change above which the change is listed as an outlier
OUTLIER_Z = 5.0
#: at most this many outliers are listed (the largest first)
OUTLIER_ROWS = 12
#: the column checked for outliers, first one present
OUTLIER_COLUMNS = ("unemployment_rate", "unemployed")


@dataclass
class QualityAnalysis:
    """Tables of the data-quality section.

    coverage : one row per source: rows, areas, first/last month (or year), months,
        persons, synthetic
    missing : one row per (source, column) with missing values: n_missing, share
    outliers : the largest month-to-month changes with |robust z| > OUTLIER_Z
    balance : one row per area panel: areas, months, expected and present rows, balanced
    person_months : per person-level panel: persons, quartiles of months per person,
        persons with a gap inside their spell
    comparison : the resolved comparison set (excluded areas and reasons)
    synthetic : whether any source is synthetic
    """

    coverage: pd.DataFrame
    missing: pd.DataFrame
    outliers: pd.DataFrame
    balance: pd.DataFrame
    person_months: pd.DataFrame
    comparison: ComparisonSet | None
    synthetic: bool
    n_outliers: int


def _time_range(frame: pd.DataFrame) -> tuple[str, str, int]:
    if "month" in frame.columns and len(frame):
        months = pd.to_datetime(frame["month"])
        return (
            months.min().strftime("%Y-%m"),
            months.max().strftime("%Y-%m"),
            int(months.nunique()),
        )
    if "year" in frame.columns and len(frame):
        years = frame["year"].astype(int)
        return str(years.min()), str(years.max()), int(years.nunique())
    return "-", "-", 0


def coverage_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Rows, areas, time span and persons of every source."""
    rows = []
    for name, frame in frames.items():
        first, last, n_periods = _time_range(frame)
        rows.append(
            {
                "source": name,
                "rows": len(frame),
                "areas": int(frame["area"].nunique()) if "area" in frame.columns else 0,
                "first": first,
                "last": last,
                "periods": n_periods,
                "persons": int(frame["person_id"].nunique()) if "person_id" in frame else 0,
                "kind": "synthetic" if frame.attrs.get("synthetic") else "real",
            }
        )
    return pd.DataFrame(rows)


def missing_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every (source, column) with missing values: count and share of rows."""
    rows = []
    for name, frame in frames.items():
        for col in frame.columns:
            n = int(frame[col].isna().sum())
            if n:
                rows.append(
                    {"source": name, "column": str(col), "n_missing": n, "share": n / len(frame)}
                )
    return pd.DataFrame(rows, columns=["source", "column", "n_missing", "share"])


def robust_z(changes: pd.Series) -> pd.Series:
    """(x - median) / (1.4826 MAD); NaN where the MAD is 0 (no spread to compare with)."""
    med = changes.median()
    mad = 1.4826 * (changes - med).abs().median()
    if not np.isfinite(mad) or mad == 0:
        return pd.Series(np.nan, index=changes.index)
    return (changes - med) / mad


def outlier_table(
    frames: dict[str, pd.DataFrame], window: tuple[str, str] | None = None
) -> tuple[pd.DataFrame, int]:
    """Month-to-month changes of each area's series with |robust z| > OUTLIER_Z.

    The z is computed within an area (its own typical change), so seasonal peaks that
    every year repeats count as typical only if the area's changes are often that large.
    Only changes into months inside ``window`` (``YYYY-MM`` bounds) are checked.
    Returns the largest OUTLIER_ROWS and the total number flagged.
    """
    found = []
    for name, frame in frames.items():
        if not {"area", "month"} <= set(frame.columns) or "person_id" in frame.columns:
            continue
        col = next((c for c in OUTLIER_COLUMNS if c in frame.columns), None)
        if col is None:
            continue
        data = frame[["area", "month", col]].dropna().sort_values(["area", "month"])
        data["change"] = data.groupby("area")[col].diff()
        data = data.dropna(subset=["change"])
        if window is not None:
            months = pd.to_datetime(data["month"])
            lo, hi = (pd.Timestamp(f"{w}-01") for w in window)
            data = data.loc[(months >= lo) & (months <= hi)].copy()
        data["z"] = data.groupby("area")["change"].transform(robust_z)
        flagged = data.loc[data["z"].abs() > OUTLIER_Z]
        for rec in flagged.to_dict("records"):
            found.append(
                {
                    "source": name,
                    "area": str(rec["area"]),
                    "month": pd.Timestamp(str(rec["month"])).strftime("%Y-%m"),
                    "variable": col,
                    "change": float(rec["change"]),
                    "z": float(rec["z"]),
                }
            )
    table = pd.DataFrame(found, columns=["source", "area", "month", "variable", "change", "z"])
    total = len(table)
    table = table.reindex(table["z"].abs().sort_values(ascending=False).index).head(OUTLIER_ROWS)
    return table.reset_index(drop=True), total


def balance_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Area x month panels: is every area present in every month?"""
    rows = []
    for name, frame in frames.items():
        if not {"area", "month"} <= set(frame.columns) or "person_id" in frame.columns:
            continue
        n_areas = int(frame["area"].nunique())
        n_months = int(pd.to_datetime(frame["month"]).nunique())
        present = int(frame[["area", "month"]].drop_duplicates().shape[0])
        rows.append(
            {
                "source": name,
                "areas": n_areas,
                "months": n_months,
                "expected": n_areas * n_months,
                "present": present,
                "balanced": present == n_areas * n_months,
            }
        )
    return pd.DataFrame(
        rows, columns=["source", "areas", "months", "expected", "present", "balanced"]
    )


def person_months_table(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Person x month panels (not survey waves): persons, quartiles of months per person,
    persons with gaps.

    No minimum or maximum (each would be one person's value)."""
    rows = []
    for name, frame in frames.items():
        if not {"person_id", "month"} <= set(frame.columns) or "wave" in frame.columns:
            continue
        months = pd.to_datetime(frame["month"])
        index = months.dt.year * 12 + months.dt.month
        per = pd.DataFrame({"p": frame["person_id"].to_numpy(), "m": index.to_numpy()})
        stats = per.groupby("p")["m"].agg(["count", "min", "max"])
        gaps = int(((stats["max"] - stats["min"] + 1) > stats["count"]).sum())
        q = stats["count"].quantile([0.25, 0.5, 0.75])
        rows.append(
            {
                "source": name,
                "persons": len(stats),
                "q25": float(q.loc[0.25]),
                "median": float(q.loc[0.5]),
                "q75": float(q.loc[0.75]),
                "with_gaps": gaps,
            }
        )
    return pd.DataFrame(rows, columns=["source", "persons", "q25", "median", "q75", "with_gaps"])


def analyse_quality(ctx: Any) -> QualityAnalysis:
    """All data-quality tables of the evaluation ``ctx`` (frames already cut at as_of)."""
    frames = dict(ctx.frames)
    design = ctx.evaluation.design
    window = (design.start or design.pre_window[0], design.end)
    outliers, n_outliers = outlier_table(frames, window)
    comparison = None
    if any(o.level == "area" and o.section == "employment" for o in ctx.evaluation.outcomes):
        comparison = resolve_comparison(ctx.evaluation, frames)
    return QualityAnalysis(
        coverage=coverage_table(frames),
        missing=missing_table(frames),
        outliers=outliers,
        balance=balance_table(frames),
        person_months=person_months_table(frames),
        comparison=comparison,
        synthetic=bool(ctx.synthetic),
        n_outliers=n_outliers,
    )


def emit_quality(analysis: QualityAnalysis, em: Any) -> None:
    """Write the data-quality part of the report (section "methods")."""
    em.section("methods")
    em.heading("quality.heading.main")
    em.paragraph("quality.synthetic" if analysis.synthetic else "quality.real")
    cov = analysis.coverage.copy()
    em.table(
        cov,
        "quality.caption.coverage",
        level="client",
        counts=["persons"],
        # the rows of a person-level source are its persons: hidden with them
        derived={"rows": "persons"},
        labels=["areas", "periods"],
        columns={c: f"quality.column.{c}" for c in cov.columns},
        translate={"kind": "quality.kind"},
    )
    em.paragraph("quality.coverage_note")
    em.heading("quality.heading.missing", level=3)
    if analysis.missing.empty:
        em.paragraph("quality.no_missing")
    else:
        em.table(
            analysis.missing,
            "quality.caption.missing",
            level="client",
            counts=["n_missing"],
            derived={"share": "n_missing"},
            columns={c: f"quality.column.{c}" for c in analysis.missing.columns},
            formats={"share": "percent:1"},
        )
        em.paragraph("quality.missing_note")
    em.heading("quality.heading.balance", level=3)
    if not analysis.balance.empty:
        em.table(
            analysis.balance,
            "quality.caption.balance",
            level="area",
            columns={c: f"quality.column.{c}" for c in analysis.balance.columns},
            translate={"balanced": "quality.yesno"},
        )
    if not analysis.person_months.empty:
        em.table(
            analysis.person_months,
            "quality.caption.person_months",
            level="client",
            counts=["persons", "with_gaps"],
            parts={"with_gaps": "persons"},
            derived={"q25": "persons", "median": "persons", "q75": "persons"},
            columns={c: f"quality.column.{c}" for c in analysis.person_months.columns},
            formats={"q25": "number:0", "median": "number:0", "q75": "number:0"},
        )
        em.paragraph("quality.person_months_note")
    em.heading("quality.heading.outliers", level=3)
    if analysis.n_outliers == 0:
        em.paragraph("quality.no_outliers", z=f"{OUTLIER_Z:g}")
    else:
        em.paragraph(
            "quality.outliers",
            n=analysis.n_outliers,
            z=f"{OUTLIER_Z:g}",
            shown=len(analysis.outliers),
        )
        em.table(
            analysis.outliers,
            "quality.caption.outliers",
            level="area",
            columns={c: f"quality.column.{c}" for c in analysis.outliers.columns},
            formats={"change": "signed:2", "z": "signed:1"},
            translate={"variable": "quality.variable"},
        )
    comp = analysis.comparison
    if comp is not None:
        em.heading("quality.heading.excluded", level=3)
        counts = comp.excluded_counts()
        em.paragraph(
            "quality.excluded",
            source=comp.source,
            n_kept=len(comp.areas),
            n_excluded=int(counts.loc[counts["reason"] != "pilot", "n"].sum()),
        )
        if len(counts):
            em.table(
                counts,
                "quality.caption.excluded",
                level="area",
                columns={"reason": "area.column.reason", "n": "area.column.n_areas"},
                translate={"reason": "area.reason"},
            )
