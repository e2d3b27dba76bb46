"""`import arviointi` and `arviointi --version` stay cheap; every exported name still works.

Each check runs in a fresh interpreter: the test session itself has imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("statsmodels", "scipy.stats", "matplotlib", "papermill")

#: packages whose __init__ exports names lazily (arviointi.report has its own lazy table)
LAZY_PACKAGES = (
    "arviointi",
    "arviointi.before_after",
    "arviointi.costs",
    "arviointi.data",
    "arviointi.did",
    "arviointi.matching",
    "arviointi.organisation",
    "arviointi.params",
    "arviointi.pipeline",
    "arviointi.power",
    "arviointi.results",
    "arviointi.sections",
    "arviointi.staggered",
    "arviointi.wellbeing",
)


def _loaded_after(code: str) -> list[str]:
    """Heavy modules in sys.modules after running ``code`` in a fresh interpreter."""
    probe = (
        f"{code}\nimport json, sys\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m in {HEAVY!r} "
        f"or m.split('.')[0] in {HEAVY!r})))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_probe_sees_a_heavy_import() -> None:
    # the probe itself must be able to fail
    assert "scipy.stats" in _loaded_after("import scipy.stats")


def test_import_arviointi_loads_no_heavy_module() -> None:
    assert _loaded_after("import arviointi") == []


def test_version_path_loads_no_heavy_module() -> None:
    code = (
        "import contextlib, io\n"
        "from arviointi.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        "        main(['--version'])\n"
        "    except SystemExit as exc:\n"
        "        assert exc.code == 0, exc.code\n"
        "assert out.getvalue().startswith('arviointi '), out.getvalue()\n"
    )
    assert _loaded_after(code) == []


@pytest.mark.parametrize("package", LAZY_PACKAGES)
def test_every_exported_name_resolves(package: str) -> None:
    code = (
        "import importlib, inspect\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for name in pkg.__all__:\n"
        "    value = getattr(pkg, name)\n"
        "    home = inspect.getmodule(value)\n"
        "    if home is not None and home is not value and hasattr(home, name):\n"
        "        assert getattr(home, name) is value, (name, home)\n"
        "    assert name in dir(pkg), name\n"
        "try:\n"
        "    pkg.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('unknown names must raise AttributeError')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_functions_named_like_their_module_survive_the_module_import() -> None:
    code = (
        "import arviointi.data.validate, arviointi.matching.matched_effect\n"
        "import arviointi.did.diagnostics, arviointi.before_after.results\n"
        "import arviointi as av\n"
        "from arviointi.data import validate\n"
        "from arviointi.matching import matched_effect\n"
        "from arviointi.data import schemas\n"
        "assert callable(validate) and callable(matched_effect)\n"
        "assert schemas.__name__ == 'arviointi.data.schemas'\n"
        "assert callable(av.did) and callable(av.before_after) and callable(av.event_study)\n"
        "from arviointi.did.model import did\n"
        "assert av.did is did\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_loading_the_parameters_module_imports_no_pandas() -> None:
    # a rerun whose validation is cached never needs pandas (pipeline/validated.py)
    code = "import arviointi.params.load, sys\nprint('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split()[-1] == "False"
