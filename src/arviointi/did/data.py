"""Input checking for ``did()`` and the within-transformation used to absorb fixed effects.

:func:`prepare` validates a DataFrame for the panel form (unit, time, treatment) or the
2x2 form (group, post), drops rows with missing values (counted in the warnings, never
silently), and returns a :class:`Prepared` with numpy arrays. :func:`demean` absorbs two
sets of fixed effects by alternating projections (weighted group means with
``np.bincount``; exact after one sweep in a balanced unweighted panel), never by dummy
matrices, so that the cost is linear in the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from arviointi.column_checks import require_columns
from arviointi.errors import DesignError, InputError, Problem, summarise
from arviointi.estimation.demean import (  # noqa: F401  (kept importable from here)
    Demeaned,
    DemeanNotConverged,
    demean,
    demean_converged,
)

Array = NDArray[np.float64]
Codes = NDArray[np.intp]

SOURCE = "<DataFrame>"


@dataclass
class Prepared:
    """Validated, numeric inputs of one DiD fit.

    y, d : outcome and treatment regressor (panel: treatment; 2x2: group * post)
    X : covariates (n x p), names in ``covariate_names``
    fe : codes of the absorbed fixed effects (unit/time or group/post)
    post : 1 for post-period rows
    cluster : codes of the inference clusters (None for unclustered designs)
    cluster_treated : per cluster, True when the cluster is treated
    """

    y: Array
    d: Array
    X: Array
    covariate_names: list[str]
    fe: list[Codes]
    fe_names: list[str]
    weights: Array | None
    post: Array
    cluster: Codes | None
    cluster_labels: list[object]
    cluster_treated: NDArray[np.bool_]
    form: str
    n_pre: int
    n_post: int
    treatment_start: object
    unit_labels_of_rows: NDArray[np.object_] | None
    time_values: NDArray[np.object_] | None
    frame: pd.DataFrame
    warnings: list[str] = field(default_factory=list)

    @property
    def n_obs(self) -> int:
        return len(self.y)

    def rows(self, keep: NDArray[np.bool_]) -> Prepared:
        """The same inputs on the rows ``keep`` (panel form), as :func:`prepare` would give
        them for those rows of ``frame``: row order kept, codes renumbered in sorted order,
        the numbers of pre and post periods recounted. Used to refit without re-checking
        rows that passed the checks (leave-one-out)."""
        if self.form != "panel" or self.cluster is None:
            raise ValueError("Prepared.rows() is for the clustered panel form")
        present, cluster = np.unique(self.cluster[keep], return_inverse=True)
        time = self.fe[1][keep]
        post = self.post[keep]
        return replace(
            self,
            y=self.y[keep],
            d=self.d[keep],
            X=self.X[keep],
            fe=[_renumber(f[keep]) for f in self.fe],
            weights=None if self.weights is None else self.weights[keep],
            post=post,
            cluster=cluster.astype(np.intp),
            cluster_labels=[self.cluster_labels[i] for i in present],
            cluster_treated=self.cluster_treated[present],
            n_pre=len(np.unique(time[post == 0])),
            n_post=len(np.unique(time[post > 0])),
            unit_labels_of_rows=None
            if self.unit_labels_of_rows is None
            else self.unit_labels_of_rows[keep],
            time_values=None if self.time_values is None else self.time_values[keep],
            frame=self.frame.loc[keep],
            warnings=[],
        )


def _renumber(codes: Codes) -> Codes:
    return np.unique(codes, return_inverse=True)[1].astype(np.intp)


def _plain(v: object) -> object:
    item = getattr(v, "item", None)
    return item() if callable(item) else v


def _check_binary(data: pd.DataFrame, col: str) -> None:
    vals = pd.to_numeric(data[col], errors="coerce")
    bad = np.flatnonzero(~vals.isin([0, 1]).to_numpy())
    if len(bad):
        problems = [
            Problem(
                f"row {data.index[i]}, column {col!r}",
                f"expected 0 or 1, got {_plain(data[col].iloc[i])!r}",
            )
            for i in bad[:5]
        ]
        if len(bad) > 5:
            problems.append(Problem(f"column {col!r}", f"{len(bad)} non-binary values in total"))
        raise InputError(SOURCE, problems)


def _check_numeric(data: pd.DataFrame, col: str) -> None:
    if not pd.api.types.is_numeric_dtype(data[col]) or pd.api.types.is_bool_dtype(data[col]):
        conv = pd.to_numeric(data[col], errors="coerce")
        bad = conv.isna() & data[col].notna()
        if bad.any():
            r = data.index[bad.to_numpy()][0]
            raise InputError(
                SOURCE,
                [
                    Problem(
                        f"row {r}, column {col!r}",
                        f"expected a number, got {_plain(data.loc[r, col])!r} "
                        f"({int(bad.sum())} non-numeric values)",
                    )
                ],
            )


def prepare(
    data: pd.DataFrame,
    outcome: str,
    *,
    unit: str | None,
    time: str | None,
    treatment: str | None,
    group: str | None,
    post: str | None,
    covariates: list[str] | None,
    weights: str | None,
    cluster: str | None,
) -> Prepared:
    """Validate the inputs of ``did()`` and build the numeric arrays (see module docstring)."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(SOURCE, f"data must be a pandas DataFrame, got {type(data).__name__}")
    panel = treatment is not None
    two_by_two = group is not None or post is not None
    if panel and two_by_two:
        raise DesignError(
            "give either the panel form (unit, time, treatment) or the 2x2 form "
            "(group, post), not both"
        )
    if panel and (unit is None or time is None):
        raise DesignError("the panel form needs unit=, time= and treatment= columns")
    if not panel and (group is None or post is None):
        raise DesignError(
            "did() needs either unit=, time= and treatment= (panel form) or group= and "
            "post= (2x2 form)"
        )
    covs = list(covariates or [])
    used = [outcome, *covs]
    used += [unit, time, treatment] if panel else [group, post]  # type: ignore[list-item]
    if not panel and unit is not None:
        used.append(unit)
    if weights is not None:
        used.append(weights)
    if cluster is not None:
        used.append(cluster)
    used = list(dict.fromkeys(c for c in used if c is not None))
    require_columns(data, used, SOURCE)

    warnings: list[str] = []
    frame = data[used].copy()
    if frame[outcome].isna().all():
        raise InputError(SOURCE, [Problem(f"column {outcome!r}", "all values are missing")])
    for col in [outcome, *covs, *([weights] if weights else [])]:
        _check_numeric(frame, col)
        frame[col] = pd.to_numeric(frame[col], errors="coerce")
    na = frame.isna()
    if na.any().any():
        counts = {c: int(n) for c, n in na.sum().items() if n}
        n_drop = int(na.any(axis=1).sum())
        warnings.append(
            f"dropped {n_drop} of {len(frame)} rows with missing values "
            f"(missing per column: {counts})"
        )
        frame = frame.loc[~na.any(axis=1)]
    if frame.empty:
        raise InputError(SOURCE, "no rows left after dropping rows with missing values")
    binary = [treatment] if panel else [group, post]
    for bcol in [c for c in binary if c is not None]:
        _check_binary(frame, bcol)
        frame[bcol] = pd.to_numeric(frame[bcol]).astype(int)
    if weights is not None and (frame[weights] <= 0).any():
        r = frame.index[(frame[weights] <= 0).to_numpy()][0]
        raise InputError(SOURCE, [Problem(f"row {r}, column {weights!r}", "weights must be > 0")])

    if panel:
        assert unit is not None and time is not None and treatment is not None
        return _prepare_panel(
            frame, outcome, unit, time, treatment, covs, weights, cluster, warnings
        )
    assert group is not None and post is not None
    return _prepare_2x2(frame, outcome, group, post, unit, covs, weights, cluster, warnings)


#: the arguments of :func:`prepare` that a ``did()`` spec carries
PREPARE_ARGS = ("unit", "time", "treatment", "group", "post", "covariates", "weights", "cluster")


def prepare_spec(data: pd.DataFrame, spec: dict[str, object]) -> Prepared:
    """:func:`prepare` with the arguments held in a ``did()`` spec."""
    kwargs: dict[str, object] = {k: spec[k] for k in PREPARE_ARGS}
    return prepare(data, str(spec["outcome"]), **kwargs)  # type: ignore[arg-type]


def _clusters(
    frame: pd.DataFrame, col: str, treated_rows: NDArray[np.bool_]
) -> tuple[Codes, list[object], NDArray[np.bool_]]:
    codes, labels = pd.factorize(frame[col], sort=True)
    G = len(labels)
    n_tr = np.bincount(codes, weights=treated_rows.astype(float), minlength=G)
    n_all = np.bincount(codes, minlength=G)
    mixed = (n_tr > 0) & (n_tr < n_all)
    if mixed.any():
        lab = labels[int(np.flatnonzero(mixed)[0])]
        raise DesignError(
            f"cluster {lab!r} (column {col!r}) holds both treated and control units; "
            "clusters must be nested in the treatment groups"
        )
    return codes.astype(np.intp), list(labels), n_tr > 0


def _prepare_panel(
    frame: pd.DataFrame,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    covs: list[str],
    weights: str | None,
    cluster: str | None,
    warnings: list[str],
) -> Prepared:
    dup = frame.duplicated([unit, time], keep=False)
    if dup.any():
        r = frame.index[dup.to_numpy()][0]
        raise InputError(
            SOURCE,
            [
                Problem(
                    f"row {r}, columns {unit!r}/{time!r}",
                    f"expected one row per unit and period; {int(dup.sum())} duplicated rows",
                )
            ],
        )
    frame = frame.sort_values([unit, time])
    d = frame[treatment].to_numpy()
    # a treatment that switches off: within a unit, d must never fall from 1 to 0
    same_unit = frame[unit].to_numpy()[1:] == frame[unit].to_numpy()[:-1]
    falls = same_unit & (d[1:] < d[:-1])
    if falls.any():
        i = int(np.flatnonzero(falls)[0]) + 1
        r = frame.index[i]
        raise DesignError(
            f"{SOURCE}: row {r}, column {treatment!r}: unit {frame[unit].iloc[i]!r} switches "
            "treatment off (1 then 0); did() expects an absorbing treatment"
        )
    ever = frame.groupby(unit, sort=True)[treatment].transform("max").to_numpy().astype(bool)
    if not ever.any():
        raise DesignError(f"{SOURCE}: column {treatment!r} is never 1: there is no treated unit")
    if ever.all():
        raise DesignError(
            f"{SOURCE}: every unit is treated at some point (column {treatment!r}); DiD needs "
            "never-treated comparison units"
        )
    starts = frame.loc[frame[treatment] == 1].groupby(unit)[time].min()
    if starts.nunique() > 1:
        groups = [
            f"{_plain(start)!r}: {len(units)} unit(s), e.g. {summarise(list(units.index), 3)}"
            for start, units in starts.groupby(starts, sort=True)
        ]
        raise DesignError(
            f"{SOURCE}: {len(starts)} treated units start at {len(groups)} different times in "
            f"column {time!r} ({summarise(groups, 4)}); staggered adoption needs "
            "arviointi.staggered"
        )
    t0 = starts.iloc[0]
    times = np.sort(frame[time].unique())
    n_pre = int((times < t0).sum())
    n_post = int((times >= t0).sum())
    treated_times = frame.loc[ever, time]
    if not (treated_times < t0).any():
        raise DesignError(
            f"{SOURCE}: no pre-period: the treated units have no rows before {_plain(t0)!r} "
            f"(column {time!r})"
        )
    post_rows = (frame[time] >= t0).to_numpy()
    if (ever & post_rows & (d == 0)).any():  # cannot happen given the checks, kept explicit
        raise DesignError(f"{SOURCE}: treated unit untreated after the start {_plain(t0)!r}")
    unit_codes, _ = pd.factorize(frame[unit], sort=True)
    time_codes, _ = pd.factorize(frame[time], sort=True)
    ccol = cluster if cluster is not None else unit
    ccodes, clabels, ctreated = _clusters(frame, ccol, ever)
    return Prepared(
        y=frame[outcome].to_numpy(dtype=float),
        d=d.astype(float),
        X=frame[covs].to_numpy(dtype=float).reshape(len(frame), len(covs)),
        covariate_names=covs,
        fe=[unit_codes.astype(np.intp), time_codes.astype(np.intp)],
        fe_names=[unit, time],
        weights=None if weights is None else frame[weights].to_numpy(dtype=float),
        post=post_rows.astype(float),
        cluster=ccodes,
        cluster_labels=clabels,
        cluster_treated=ctreated,
        form="panel",
        n_pre=n_pre,
        n_post=n_post,
        treatment_start=t0,
        unit_labels_of_rows=frame[unit].to_numpy(dtype=object),
        time_values=frame[time].to_numpy(dtype=object),
        frame=frame,
        warnings=warnings,
    )


def _prepare_2x2(
    frame: pd.DataFrame,
    outcome: str,
    group: str,
    post: str,
    unit: str | None,
    covs: list[str],
    weights: str | None,
    cluster: str | None,
    warnings: list[str],
) -> Prepared:
    g = frame[group].to_numpy()
    p = frame[post].to_numpy()
    cells = pd.crosstab(g, p)
    for gv in (0, 1):
        for pv in (0, 1):
            if gv not in cells.index or pv not in cells.columns or cells.loc[gv, pv] == 0:
                raise DesignError(
                    f"{SOURCE}: the 2x2 cell {group}={gv}, {post}={pv} is empty; "
                    + ("no pre-period" if pv == 0 else "no post-period")
                    + (" for the treated group" if gv == 1 else " for the control group")
                )
    if unit is not None:
        dup = frame.duplicated([unit, post], keep=False)
        if dup.any():
            r = frame.index[dup.to_numpy()][0]
            raise InputError(
                SOURCE,
                [
                    Problem(
                        f"row {r}, columns {unit!r}/{post!r}",
                        "expected one row per unit and period",
                    )
                ],
            )
        fe0, _ = pd.factorize(frame[unit], sort=True)
    else:
        fe0, _ = pd.factorize(frame[group], sort=True)
    fe1, _ = pd.factorize(frame[post], sort=True)
    ccol = cluster if cluster is not None else unit
    if ccol is not None:
        ccodes, clabels, ctreated = _clusters(frame, ccol, g.astype(bool))
        cl: Codes | None = ccodes
    else:
        cl, clabels, ctreated = None, [], np.zeros(0, dtype=bool)
    return Prepared(
        y=frame[outcome].to_numpy(dtype=float),
        d=(g * p).astype(float),
        X=frame[covs].to_numpy(dtype=float).reshape(len(frame), len(covs)),
        covariate_names=covs,
        fe=[fe0.astype(np.intp), fe1.astype(np.intp)],
        fe_names=[unit or group, post],
        weights=None if weights is None else frame[weights].to_numpy(dtype=float),
        post=p.astype(float),
        cluster=cl,
        cluster_labels=clabels,
        cluster_treated=ctreated,
        form="2x2",
        n_pre=1,
        n_post=1,
        treatment_start=1,
        unit_labels_of_rows=None if unit is None else frame[unit].to_numpy(dtype=object),
        time_values=p.astype(object),
        frame=frame,
        warnings=warnings,
    )
