"""Factories for the test suite: panels with a known effect and params files with overrides.

Every tier uses them, so a test states only what differs from a small, valid default:

    panel = area_panel(effect=-1.0, n_control=12)      # frame + the planted truth
    path = params_file(tmp_path, GOOD, {"design.pilot_start": "2013-03"})

``params_file`` copies a shipped or fixture params file into ``tmp_path`` with the given
dotted-key overrides and an absolute ``base_dir``, so its relative data paths still resolve.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from arviointi.did.simulation import simulate_panel

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_PARAMS = ROOT / "params"
FIXTURE_PARAMS = Path(__file__).resolve().parent / "fixtures" / "params"
#: the small valid evaluation of the params, pipeline and CLI tests
GOOD = FIXTURE_PARAMS / "good.yaml"


@dataclass(frozen=True)
class Panel:
    """A simulated unit x period panel and the effect planted in it."""

    frame: pd.DataFrame
    effect: float
    n_treated: int
    n_control: int
    n_pre: int
    n_post: int


def area_panel(
    *,
    seed: int = 0,
    effect: float = 0.0,
    n_treated: int = 1,
    n_control: int = 8,
    n_pre: int = 24,
    n_post: int = 12,
    rho: float = 0.5,
    treated_sd_factor: float = 1.0,
) -> Panel:
    """``did.simulation.simulate_panel`` with small defaults (columns unit, period, treated, y)."""
    frame = simulate_panel(
        np.random.default_rng(seed),
        n_control=n_control,
        n_pre=n_pre,
        n_post=n_post,
        rho=rho,
        effect=effect,
        n_treated=n_treated,
        treated_sd_factor=treated_sd_factor,
    )
    return Panel(frame, effect, n_treated, n_control, n_pre, n_post)


def monthly(panel: Panel, start: str = "2012-01") -> pd.DataFrame:
    """The panel with the columns of an area panel: ``area`` names and ``month`` dates."""
    frame = panel.frame.copy()
    months = pd.date_range(start, periods=panel.n_pre + panel.n_post, freq="MS")
    frame["area"] = [f"area{u:02d}" for u in frame["unit"]]
    frame["month"] = months[frame["period"].to_numpy()]
    return frame


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    node = tree
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    if value is _DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


#: an override value that removes the key
_DELETE = object()
DELETE: Any = _DELETE


def params_tree(base: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The YAML of ``base`` as a dict with ``overrides`` (dotted keys; DELETE removes)."""
    tree = yaml.safe_load(base.read_text(encoding="utf-8"))
    for dotted, value in (overrides or {}).items():
        _set(tree, dotted, value)
    return tree


def params_file(
    tmp_path: Path,
    base: Path = GOOD,
    overrides: Mapping[str, Any] | None = None,
    *,
    name: str | None = None,
) -> Path:
    """Write ``base`` with ``overrides`` into ``tmp_path``; relative data paths keep working."""
    tree = params_tree(base, overrides)
    if "base_dir" not in (overrides or {}):
        tree["base_dir"] = str((base.parent / tree.get("base_dir", "..")).resolve())
    out = tmp_path / (name or base.name)
    out.write_text(yaml.safe_dump(tree, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return out
