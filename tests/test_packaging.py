"""The set-up tells one story: pyproject.toml, uv.lock, requirements/*.txt and environment.yml
agree; notebooks are committed without outputs; the Makefile and CI do what the README says."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _lock_versions() -> dict[str, str]:
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    return {p["name"]: p["version"] for p in lock["package"] if "version" in p}


def _requirements(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_requirements_match_lock() -> None:
    lock = {k.lower().replace("_", "-"): v for k, v in _lock_versions().items()}
    for name in ("dev.txt", "lab.txt"):
        pins = _requirements(ROOT / "requirements" / name)
        assert pins, f"requirements/{name} has no pins"
        mismatched = {k: (v, lock.get(k)) for k, v in pins.items() if lock.get(k) != v}
        assert not mismatched, f"requirements/{name} disagrees with uv.lock: {mismatched}"


def test_direct_dependencies_are_locked() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = {k.lower().replace("_", "-") for k in _lock_versions()}
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    names = {re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in reqs}
    assert names <= lock, f"not in uv.lock: {sorted(names - lock)}"


def test_environment_yml_tells_the_same_story() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    deps = env["dependencies"]
    assert "python=3.11" in deps
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11,<3.12"
    pip_section = next(d for d in deps if isinstance(d, dict))["pip"]
    assert "-r requirements/dev.txt" in pip_section
    assert "-e ." in pip_section


def test_stack_versions_are_the_agreed_ones() -> None:
    lock = _lock_versions()
    agreed = {
        "pandas": "3.1",
        "statsmodels": "0.15",
        "numpy": "2.4",
        "scipy": "1.17",
        "seaborn": "0.13",
        "papermill": "2.7",
        "nbclient": "0.11",
        "nbconvert": "7.17",
    }
    for name, prefix in agreed.items():
        assert lock[name].startswith(prefix + "."), (name, lock[name])


def _tracked_notebooks() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / f for f in out.split()]


def test_notebooks_are_committed_without_outputs() -> None:
    notebooks = _tracked_notebooks()
    dirty = []
    for nb_path in notebooks:
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell.get("outputs") or cell.get("execution_count"):
                dirty.append(nb_path.name)
                break
    assert not dirty, f"strip outputs (nbstripout) from: {dirty}"


def test_notebooks_define_no_functions_or_classes() -> None:
    offenders = []
    for nb_path in (ROOT / "notebooks").glob("*.ipynb"):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            if re.search(r"^\s*(async\s+)?(def|class)\s", src, flags=re.M) or "lambda" in src:
                offenders.append(nb_path.name)
                break
    assert not offenders, f"notebooks must call the package, not define logic: {offenders}"


def test_ci_runs_make_test_and_readme_shows_both_commands() -> None:
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in readme and "make test" in readme
