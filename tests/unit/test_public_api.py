"""The top-level API names stay the estimators whatever else was imported."""

from __future__ import annotations

import subprocess
import sys

import arviointi as av


def test_top_level_names_are_the_estimators() -> None:
    from arviointi.before_after import results  # noqa: F401
    from arviointi.did import diagnostics  # noqa: F401  (imports the subpackage)
    from arviointi.event_study import sensitivity  # noqa: F401

    for name in ("before_after", "did", "event_study", "staggered_did", "synthetic_control"):
        assert callable(getattr(av, name)), name
    from arviointi.did.model import did

    assert av.did is did


def test_names_survive_a_fresh_interpreter_importing_subpackages_first() -> None:
    code = (
        "import arviointi.did.diagnostics, arviointi.event_study.model\n"
        "import arviointi\n"
        "assert callable(arviointi.did) and callable(arviointi.event_study)\n"
        "assert callable(arviointi.before_after)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
