"""The evaluation's sections: what each notebook computes and emits, as package code.

Notebooks stay thin: they open the evaluation with :func:`open_evaluation`, call one
``analyse_*`` function of a module here, show its tables to the researcher, and pass the
analysis to the module's ``emit_*`` function, which writes the report content through
:class:`arviointi.report.Emitter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.sections.context import EvaluationContext, open_evaluation, truncate_as_of

__all__ = ["EvaluationContext", "open_evaluation", "truncate_as_of"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "EvaluationContext": "arviointi.sections.context",
        "open_evaluation": "arviointi.sections.context",
        "truncate_as_of": "arviointi.sections.context",
    },
)
