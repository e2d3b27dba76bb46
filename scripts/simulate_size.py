"""Size and coverage of did() inference with ONE treated unit (the simulation study).

Panels: 1 treated unit, 4/8/15/30 controls, 60 pre and 24 post months, AR(1) errors with
rho 0.5 and 0.8, unit effects and a common random-walk period effect
(arviointi.did.simulation). Under no effect we record how often each method rejects at 5 %;
with a planted effect of 1 (the errors' marginal SD) the bias of the estimate and the
coverage of auto's 95 % interval. An extra design breaks the equal-variance assumption
(treated unit's errors twice as noisy) to show the failure mode and the warning.

Usage: .venv/bin/python scripts/simulate_size.py [--reps 500] [--seed 2026]
Writes its table into docs/validation.md between the size markers.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from arviointi.did import did
from arviointi.did.simulation import simulate_panel

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "validation.md"
START, END = "<!-- size:start -->", "<!-- size:end -->"
METHODS = ("auto", "cluster", "wild", "permutation", "conley_taber")


def run_design(
    n_control: int,
    rho: float,
    reps: int,
    seed: int,
    *,
    n_pre: int = 60,
    n_post: int = 24,
    effect: float = 1.0,
    treated_sd_factor: float = 1.0,
    methods: tuple[str, ...] = METHODS,
) -> dict[str, float]:
    """Rejection rates under the null per method, and bias/coverage of auto under ``effect``."""
    rng = np.random.default_rng(seed)
    rejects = {m: 0 for m in methods}
    auto_method = ""
    errors, covered, warned = [], 0, 0
    for _ in range(reps):
        panel = simulate_panel(
            rng,
            n_control=n_control,
            n_pre=n_pre,
            n_post=n_post,
            rho=rho,
            treated_sd_factor=treated_sd_factor,
        )
        for m in methods:
            r = did(
                panel,
                "y",
                unit="unit",
                time="period",
                treatment="treated",
                inference=m,
                seed=int(rng.integers(2**31)),
            )
            if r.pvalue is not None and r.pvalue <= 0.05:
                rejects[m] += 1
            if m == "auto":
                auto_method = r.inference.method
                warned += any("Ferman" in w for w in r.warnings)
        panel = simulate_panel(
            rng,
            n_control=n_control,
            n_pre=n_pre,
            n_post=n_post,
            rho=rho,
            effect=effect,
            treated_sd_factor=treated_sd_factor,
        )
        r = did(panel, "y", unit="unit", time="period", treatment="treated")
        errors.append(r.estimate - effect)
        lo, hi = r.conf_int(0.05)
        covered += bool(lo <= effect <= hi)
    out: dict[str, float] = {f"reject_{m}": rejects[m] / reps for m in methods}
    err = np.asarray(errors)
    out.update(
        {
            "n_control": n_control,
            "rho": rho,
            "treated_sd_factor": treated_sd_factor,
            "reps": reps,
            "auto_method": auto_method,  # type: ignore[dict-item]
            "bias": float(err.mean()),
            "bias_mc_se": float(err.std(ddof=1) / math.sqrt(reps)),
            "coverage_auto": covered / reps,
            "variance_warning_share": warned / reps,
        }
    )
    return out


def table(rows: list[dict[str, float]]) -> str:
    df = pd.DataFrame(rows)
    lines = [
        "| controls | rho | treated SD x | reps | auto uses | auto | cluster (CR1) | wild | "
        "permutation | Conley-Taber | bias (MC se) | auto 95% coverage |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for _, r in df.iterrows():
        lines.append(
            f"| {int(r.n_control)} | {r.rho:g} | {r.treated_sd_factor:g} | {int(r.reps)} | "
            f"{r.auto_method} | {r.reject_auto:.3f} | {r.reject_cluster:.3f} | "
            f"{r.reject_wild:.3f} | {r.reject_permutation:.3f} | {r.reject_conley_taber:.3f} | "
            f"{r.bias:+.3f} ({r.bias_mc_se:.3f}) | {r.coverage_auto:.3f} |"
        )
    return "\n".join(lines)


def outside_note(rows: list[dict[str, float]], lo: float, hi: float) -> str:
    """Say plainly which equal-variance designs put auto's rejection rate outside [lo, hi]."""
    out = [
        f"{int(r['n_control'])} controls, rho {r['rho']:g}: {r['reject_auto']:.3f} "
        f"(binomial p vs 5 %: {binom_p(r['reject_auto'], int(r['reps'])):.2f})"
        for r in rows
        if r["treated_sd_factor"] == 1 and not lo <= r["reject_auto"] <= hi
    ]
    if not out:
        return f"Every equal-variance design rejects within {lo:.2f}-{hi:.2f}."
    return f"Outside {lo:.2f}-{hi:.2f}: " + "; ".join(out) + "."


def binom_p(rate: float, reps: int) -> float:
    """Two-sided binomial p-value of the observed rejection count against 5 %."""
    from scipy import stats

    return float(stats.binomtest(round(rate * reps), reps, 0.05).pvalue)


def write_section(text: str, doc: Path = DOC) -> None:
    body = doc.read_text(encoding="utf-8") if doc.exists() else ""
    section = f"{START}\n{text}\n{END}"
    if START in body:
        body = re.sub(
            re.escape(START) + r".*?" + re.escape(END), lambda _: section, body, flags=re.S
        )
    else:
        body = body.rstrip() + "\n\n" + section + "\n"
    doc.write_text(body, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=500)
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    t0 = time.time()
    rows = []
    designs = [(nc, rho, 1.0) for nc in (4, 8, 15, 30) for rho in (0.5, 0.8)]
    designs.append((8, 0.8, 2.0))
    for i, (nc, rho, f) in enumerate(designs):
        rows.append(run_design(nc, rho, args.reps, args.seed + i, treated_sd_factor=f))
        print(f"done {nc} controls rho={rho} sd x{f}: {time.time() - t0:.0f}s", file=sys.stderr)
    lo, hi = 0.03, 0.07
    text = "\n".join(
        [
            "## Size and coverage with one treated unit (scripts/simulate_size.py)",
            "",
            f"One treated unit, 60 pre and 24 post periods, AR(1) errors, {args.reps} "
            f"replications per design (seed {args.seed}); 5 % two-sided tests under no "
            "effect (rejection rate), and with a planted effect of 1 the bias of the "
            'estimate and the coverage of the 95 % interval of `inference="auto"`. '
            f"Target for auto: {lo:.2f}-{hi:.2f} "
            f"(Monte Carlo SE at 5 %: {math.sqrt(0.05 * 0.95 / args.reps):.3f}).",
            "",
            table(rows),
            "",
            "Reading: CR1 cluster errors over-reject badly with one treated unit, and more so "
            "the more controls there are; the wild cluster restricted bootstrap goes the other "
            "way and almost never rejects (MacKinnon and Webb 2017); permutation cannot reject "
            "at 5 % unless there are at least 19 controls (p-value floor 1/(controls+1)); "
            "Conley-Taber over-rejects with few controls and approaches its size as they grow. "
            "`auto` (Donald-Lang aggregated t test) is exact under normal unit contrasts with "
            "a common variance, whatever the serial correlation. "
            + outside_note(rows, lo, hi)
            + " The last row breaks the equal-variance assumption (treated errors twice as "
            "noisy): auto over-rejects, and the share of runs in which did() warned about the "
            "variance ratio was "
            + ", ".join(
                f"{r['variance_warning_share']:.2f}" for r in rows if r["treated_sd_factor"] != 1
            )
            + ".",
            f"Run time: {time.time() - t0:.0f} s.",
        ]
    )
    write_section(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
