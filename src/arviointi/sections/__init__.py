"""The evaluation's sections: what each notebook computes and emits, as package code.

Notebooks stay thin: they open the evaluation with :func:`open_evaluation`, call one
``analyse_*`` function of a module here, show its tables to the researcher, and pass the
analysis to the module's ``emit_*`` function, which writes the report content through
:class:`arviointi.report.Emitter`.
"""

from arviointi.sections.context import EvaluationContext, open_evaluation, truncate_as_of

__all__ = ["EvaluationContext", "open_evaluation", "truncate_as_of"]
