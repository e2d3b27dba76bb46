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

ROOT = Path(__file__).resolve().parents[2]


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
    for name in ("runtime.txt", "dev.txt", "lab.txt"):
        pins = _requirements(ROOT / "requirements" / name)
        assert pins, f"requirements/{name} has no pins"
        mismatched = {k: (v, lock.get(k)) for k, v in pins.items() if lock.get(k) != v}
        assert not mismatched, f"requirements/{name} disagrees with uv.lock: {mismatched}"


def test_direct_dependencies_are_locked() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = {k.lower().replace("_", "-") for k in _lock_versions()}
    groups = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "dependency-groups"
    ]
    reqs = list(project["dependencies"])
    for extra in [*project["optional-dependencies"].values(), *groups.values()]:
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
    # the conda environment is the development one: the same pins as `make test`
    assert "--group dev" in (ROOT / "requirements" / "dev.txt").read_text(encoding="utf-8")


def test_stack_versions_are_the_agreed_ones() -> None:
    lock = _lock_versions()
    agreed = {
        "pandas": "3.1",
        "statsmodels": "0.15",
        "numpy": "2.4",
        "scipy": "1.17",
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


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _dist_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _src_imports() -> dict[str, list[tuple[str, bool]]]:
    """Top-level modules imported by src/arviointi: {module: [(file, guarded), ...]}, where
    guarded means inside a ``try`` that catches ImportError (an optional dependency)."""
    import ast
    import sys

    found: dict[str, list[tuple[str, bool]]] = {}
    for path in sorted((ROOT / "src" / "arviointi").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "Exception")
                for h in node.handlers
            ):
                for inner in node.body:
                    guarded |= {id(n) for n in ast.walk(inner)}
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top == "arviointi":
                    continue
                rel = str(path.relative_to(ROOT))
                found.setdefault(top, []).append((rel, id(node) in guarded))
    return found


def _closure(roots: set[str]) -> set[str]:
    """The distributions in uv.lock reachable from ``roots`` (runtime dependencies only)."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    deps = {p["name"]: {d["name"] for d in p.get("dependencies", [])} for p in lock["package"]}
    seen: set[str] = set()
    todo = [r.lower().replace("_", "-") for r in roots]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(deps.get(name, ()))
    return seen


def test_runtime_requirements_cover_every_import_in_src() -> None:
    """`make report` installs the runtime dependencies only: every module src/ imports must
    come with them, except an optional extra imported behind ``except ImportError``."""
    from importlib import metadata

    project = _pyproject()["project"]
    runtime = _closure({_dist_name(r) for r in project["dependencies"]})
    pinned = set(_requirements(ROOT / "requirements" / "runtime.txt"))
    assert runtime - {"arviointi"} <= pinned | {"arviointi"}
    optional = {_dist_name(r) for e in project["optional-dependencies"].values() for r in e}
    module_dists = metadata.packages_distributions()
    missing = {}
    for module, uses in _src_imports().items():
        dists = {d.lower().replace("_", "-") for d in module_dists.get(module, [])}
        assert dists, f"{module} (imported in {uses[0][0]}) is not installed at all"
        if dists & pinned:
            continue
        if dists & optional and all(guarded for _, guarded in uses):
            continue
        missing[module] = (sorted(dists), uses[:2])
    assert not missing, f"imported by src/ but not a runtime dependency: {missing}"


def test_dev_tools_are_not_runtime_dependencies() -> None:
    runtime = set(_requirements(ROOT / "requirements" / "runtime.txt"))
    dev = {_dist_name(r) for r in _pyproject()["dependency-groups"]["dev"]}
    assert dev and not (dev & runtime), sorted(dev & runtime)
    assert "jupyterlab" not in runtime
    # seaborn was pinned but never imported: not a dependency of the project any more
    assert not any(_dist_name(r) == "seaborn" for r in _pyproject()["project"]["dependencies"])
    assert "seaborn" not in _src_imports()


def test_make_report_installs_runtime_only_and_make_test_the_dev_group() -> None:
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    report = re.search(r"^report: (.*)$", make, re.M)
    test = re.search(r"^test: (.*)$", make, re.M)
    assert report and test
    assert "$(RTSTAMP)" in report.group(1) and "$(STAMP)" not in report.group(1).split()
    assert "$(STAMP)" in test.group(1).split()
    assert "setup-python.sh $(VENV) runtime" in make
    assert "setup-python.sh $(VENV) dev" in make
    for target in ("runtime.txt", "dev.txt", "lab.txt"):
        assert f"-o requirements/{target}" in make
    setup = (ROOT / "scripts" / "setup-python.sh").read_text(encoding="utf-8")
    assert "--no-default-groups" in setup and "requirements/runtime.txt" in setup
