"""The SQL texts of the fixed-effects engine, written once for DuckDB and Spark alike.

Only constructs both engines run identically are used: CTEs, GROUP BY, CASE, CAST,
POWER, BIT_OR, DENSE_RANK and inner joins. The input is first exposed as a view with
fixed column names (``u`` unit, ``t`` time, ``y`` outcome, ``w0..`` regressors, ``c``
cluster, ``ok`` = 1 when no value is missing), so no identifier is quoted below.

Three passes read the rows:

* :func:`by_time` - per time period: row counts, missing values and the sums
  ``sum w``, ``sum y``, ``sum w w'``, ``sum w y`` of the complete rows;
* :func:`by_pattern` - per unit, then per *observation pattern* (the set of periods a
  unit is observed in, as bit masks, with the unit's row count): the number of units
  and the sums of unit means needed to absorb the unit effects exactly;
* :func:`scores` - per cluster, the score ``sum_t (w_it - g_t) e_it`` of the fitted
  model (``g`` and the time effects come in a small parameter table), summed into the
  CR1 "meat" ``sum_g s_g s_g'``.
"""

from __future__ import annotations

BITS = 62  # periods per BIGINT mask word (a sum of distinct powers below 2**62 fits)


def _pairs(k: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(k) for b in range(a, k)]


def by_time(view: str, k: int, counts: dict[str, str], weighted: bool = False) -> str:
    """Per time ``t``: row counts, ``counts`` (name -> condition counted) and sums of
    the complete rows.

    ``weighted``: the view has a unit weight ``pw``; ``n`` and the sums are weighted and
    ``n_rows`` counts the complete rows.
    """
    ok = "CASE WHEN ok = 1 THEN {} END"
    pw = "pw * " if weighted else ""
    parts = [
        "t",
        "COUNT(*) AS n_all",
        f"SUM({ok.format('pw')}) AS n" if weighted else "SUM(ok) AS n",
    ]
    if weighted:
        parts.append("SUM(ok) AS n_rows")
    parts += [f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {name}" for name, cond in counts.items()]
    parts += [f"SUM({ok.format(f'{pw}w{j}')}) AS sw{j}" for j in range(k)]
    parts.append(f"SUM({ok.format(f'{pw}y')}) AS sy")
    parts += [f"SUM({ok.format(f'{pw}w{a} * w{b}')}) AS ww{a}_{b}" for a, b in _pairs(k)]
    parts += [f"SUM({ok.format(f'{pw}w{j} * y')}) AS wy{j}" for j in range(k)]
    parts.append(f"SUM({ok.format(f'{pw}y * y')}) AS yy")
    return f"SELECT {', '.join(parts)} FROM {view} GROUP BY t"


def time_codes(bytime: str) -> str:
    """Dense 0-based codes of the sorted non-missing periods of a :func:`by_time` table."""
    return (
        "SELECT t, CAST(DENSE_RANK() OVER (ORDER BY t) - 1 AS INT) AS tc "
        f"FROM {bytime} WHERE t IS NOT NULL"
    )


def time_bits(times: str, n_times: int) -> str:
    """The period codes with each period's bit in its mask word (``bit0``, ``bit1``, ...)."""
    words = (n_times + BITS - 1) // BITS
    bits = [
        f"CASE WHEN tc >= {BITS * w} AND tc < {BITS * (w + 1)} "
        f"THEN CAST(POWER(2, tc - {BITS * w}) AS BIGINT) ELSE CAST(0 AS BIGINT) END AS bit{w}"
        for w in range(words)
    ]
    return f"SELECT t, tc, {', '.join(bits)} FROM {times}"


def by_pattern(
    view: str, tbits: str, k: int, n_times: int, unit_keys: dict[str, str], weighted: bool = False
) -> str:
    """Units grouped by observation pattern; ``unit_keys`` = extra per-unit aggregates.

    ``tbits`` is a :func:`time_bits` table. Each extra key (e.g. the first treated
    period) is a grouping column too, so its value is exact per pattern group.
    ``weighted``: ``cnt`` and the sums are weighted by the unit weight ``pw`` (constant
    within a unit) and ``units`` counts the units.
    """
    words = (n_times + BITS - 1) // BITS
    pw = "pw * " if weighted else ""
    masks = [f"BIT_OR(r.bit{w}) AS m{w}" for w in range(words)]
    unit_cols = ["r.u", "COUNT(*) AS n", *masks]
    unit_cols += [f"SUM(r.w{j}) AS s{j}" for j in range(k)]
    unit_cols.append("SUM(r.y) AS sy")
    if weighted:
        unit_cols.append("MAX(r.pw) AS pw")
    unit_cols += [f"{expr} AS {name}" for name, expr in unit_keys.items()]
    keys = [f"m{w}" for w in range(words)] + ["n", *unit_keys]
    out = [*keys, "SUM(pw) AS cnt, COUNT(*) AS units" if weighted else "COUNT(*) AS cnt"]
    out += [f"SUM({pw}s{j} / n) AS mw{j}" for j in range(k)]
    out.append(f"SUM({pw}sy / n) AS my")
    out += [f"SUM({pw}s{a} * s{b} / n) AS qww{a}_{b}" for a, b in _pairs(k)]
    out += [f"SUM({pw}s{j} * sy / n) AS qwy{j}" for j in range(k)]
    out.append(f"SUM({pw}sy * sy / n) AS qyy")
    return (
        f"WITH r AS (SELECT v.*, m.tc, {', '.join(f'm.bit{w}' for w in range(words))} "
        f"FROM {view} v JOIN {tbits} m ON v.t = m.t WHERE v.ok = 1), "
        f"units AS (SELECT {', '.join(unit_cols)} FROM r GROUP BY r.u) "
        f"SELECT {', '.join(out)} FROM units GROUP BY {', '.join(keys)}"
    )


def scores(view: str, params: str, k: int, weighted: bool = False) -> str:
    """CR1 meat ``sum_g s_g s_g'`` and the residual sum of squares, clusters ``c``.

    ``params`` has per period ``t``: ``delta`` (time effect), ``g0..`` (the time
    projection of each regressor) and ``b0..`` (the coefficients, constant).
    ``weighted``: each unit's score is multiplied by its weight ``pw``.
    """
    u = [f"(v.w{j} - p.g{j}) AS z{j}" for j in range(k)]
    fit = " - ".join(["v.y", "p.delta", *[f"v.w{j} * p.b{j}" for j in range(k)]])
    unit_cols = ["u", "MIN(c) AS c", "MAX(c) AS c_max", "COUNT(*) AS n", "SUM(e) AS se"]
    unit_cols += [f"SUM(z{j} * e) AS ze{j}" for j in range(k)]
    unit_cols += [f"SUM(z{j}) AS sz{j}" for j in range(k)]
    unit_cols.append("SUM(e * e) AS ee")
    unit_cols.append("MAX(d) AS ever")
    if weighted:
        unit_cols.append("MAX(pw) AS pw")
    pw = "pw * " if weighted else ""
    per_unit = [f"{pw}(ze{j} - sz{j} * se / n) AS s{j}" for j in range(k)]
    per_cluster = [f"SUM(s{j}) AS s{j}" for j in range(k)]
    total = [f"SUM(s{a} * s{b}) AS meat{a}_{b}" for a, b in _pairs(k)]
    return (
        f"WITH r AS (SELECT v.u, v.c, v.d, {'v.pw, ' if weighted else ''}{', '.join(u)}, "
        f"{fit} AS e FROM {view} v "
        f"JOIN {params} p ON v.t = p.t WHERE v.ok = 1), "
        f"units AS (SELECT {', '.join(unit_cols)} FROM r GROUP BY u), "
        f"su AS (SELECT c, c_max, ever, {', '.join(per_unit)}, ee - se * se / n AS rss "
        "FROM units), "
        f"sc AS (SELECT c, {', '.join(per_cluster)}, SUM(rss) AS rss, "
        "SUM(CASE WHEN c <> c_max THEN 1 ELSE 0 END) AS split, "
        "MIN(ever) AS ever_min, MAX(ever) AS ever_max FROM su GROUP BY c) "
        f"SELECT COUNT(*) AS n_clusters, {', '.join(total)}, SUM(rss) AS rss, "
        "SUM(split) AS split_units, "
        "SUM(CASE WHEN ever_min <> ever_max THEN 1 ELSE 0 END) AS mixed_clusters, "
        "SUM(ever_max) AS treated_clusters FROM sc"
    )


def params_table(rows: list[list[float]], k: int) -> str:
    """A VALUES table of the per-period parameters, doubles written exactly."""

    def num(x: float) -> str:
        return f"CAST('{float(x)!r}' AS DOUBLE)"

    cols = ["tc", "delta", *[f"g{j}" for j in range(k)], *[f"b{j}" for j in range(k)]]
    body = ", ".join(
        "(" + ", ".join([str(int(r[0])), *[num(x) for x in r[1:]]]) + ")" for r in rows
    )
    return f"SELECT * FROM (VALUES {body}) AS p({', '.join(cols)})"
