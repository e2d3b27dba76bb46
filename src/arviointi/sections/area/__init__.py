"""Area-level employment (notebook employment_area): the pilot area(s) against the
comparison areas for every outcome with ``section: employment`` and ``level: area``.

    analysis = analyse_area(ctx)        # AreaAnalysis: results per outcome + tables
    emit_area(analysis, ctx.emitter)    # report text, tables, figures, records

Per outcome (:func:`analyse_outcome`): the headline difference-in-differences (area and
month fixed effects, equal weight per area, inference from ``models.did.inference``;
``auto`` picks Donald-Lang with few pilot areas), with several pilot areas also a
labour-force weighted DiD (wild cluster bootstrap); an interrupted time series of the
pilot area(s) with month-of-year dummies; an event study (leads/lags from the params,
permutation inference with few pilot areas); a demeaned synthetic control with in-space
placebos (several pilot areas are added up into one unit). Diagnostics: pre-trend test,
placebo a year early, leave-one-out range, minimum detectable effect, smoothness
sensitivity bounds when the event study has a covariance matrix. With synthetic data the
truth is the actual-minus-counterfactual difference of the generator's counterfactual
panel, on the same scale as the estimate.

Scales (decided per outcome, stated in the report):

* ``level``: a rate that is already comparable across areas (``unemployment_rate``, pp);
* ``per_labour_force``: a count of a subgroup divided by the area's labour force, per 100
  (long-term, Kela list, youth, foreign-language unemployed). Areas of very different
  size then move on one scale, and an effect converts back to persons exactly by the
  pilot area's labour force (the pilot does not change the labour force). The generator
  makes district rates parallel in percentage points, and so are these shares; logs
  were tried and are biased there (a common shock is a smaller relative change in a
  high-unemployment district);
* ``log``: 100 x log of the total count of unemployed (``unemployed``): a proportional
  change, about per cent. Per labour force it would repeat the unemployment rate.

Modules: :mod:`.scales` (scales, the pilot areas as one series), :mod:`.panel` (the
analysis panel), :mod:`.analysis` and :mod:`.results` (the estimates), :mod:`.report`,
:mod:`.records` and :mod:`.wording` (the report section and its records).
"""

from __future__ import annotations

from arviointi.sections.area.analysis import (
    _did_args,
    _fit_did,
    analyse_area,
    analyse_outcome,
    area_outcomes,
)
from arviointi.sections.area.panel import AreaPanel, build_panel, describe
from arviointi.sections.area.report import emit_area
from arviointi.sections.area.results import (
    EVENT_STUDY_PERMUTATIONS_MAX,
    LOO_EXTREMES,
    SENSITIVITY_M,
    AreaAnalysis,
    OutcomeResults,
)
from arviointi.sections.area.scales import (
    LEVEL_OUTCOMES,
    LOG_OUTCOMES,
    aggregate_pilot,
    pilot_unit_name,
    scale_of,
    transform,
)
from arviointi.sections.area.wording import INFERENCE_TEXT, PLACEBO_FIT_LIMIT

__all__ = [
    "EVENT_STUDY_PERMUTATIONS_MAX",
    "INFERENCE_TEXT",
    "LEVEL_OUTCOMES",
    "LOG_OUTCOMES",
    "LOO_EXTREMES",
    "PLACEBO_FIT_LIMIT",
    "SENSITIVITY_M",
    "AreaAnalysis",
    "AreaPanel",
    "OutcomeResults",
    "_did_args",
    "_fit_did",
    "aggregate_pilot",
    "analyse_area",
    "analyse_outcome",
    "area_outcomes",
    "build_panel",
    "describe",
    "emit_area",
    "pilot_unit_name",
    "scale_of",
    "transform",
]
