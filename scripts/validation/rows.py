"""One row of the validation table (docs/validation.md), as every check module builds it.

Not a check module itself (it has no ``checks()``); scripts/validate_estimators.py puts
this folder on ``sys.path`` before it loads the check modules that import it.
"""

from __future__ import annotations

from typing import Any


def row(check: str, reference: Any, ours: Any, source: str, passed: bool) -> dict[str, Any]:
    """The keys validate_estimators.py reads: check, reference, ours, source, passed."""
    return {
        "check": check,
        "reference": reference,
        "ours": ours,
        "source": source,
        "passed": bool(passed),
    }
