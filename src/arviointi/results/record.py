"""The results record contract: one record per estimate, as results.json holds it.

:class:`ResultRecord` is THE definition of a record's fields. Records are built through it
(``Emitter.record`` -> :func:`build_record`), checked through it when the pipeline collects
them from the executed notebooks (:func:`record_problems`) and when the final notebooks read
them back (``arviointi.data.read_records``). :class:`ResultsDocument` is the whole of
results.json; its JSON Schema (``arviointi schema results``, ``schemas/results.schema.json``)
is generated from these models (:mod:`arviointi.results.json_schema`).

The fields an estimator fills are those of :meth:`EffectResults.to_record
<arviointi.results.base.EffectResults.to_record>`; a section adds the fields below them
(``role``, ``level``, ``label``, ...) through ``Emitter.record(result, role=..., ...)``,
which accepts only fields declared here. A record displayed by hand in a notebook (the
record MIME type) may carry further plain-JSON fields of its own: they are kept as they are.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from arviointi.results.sections import AnalysisSection

#: what a record is for: the headline estimate of its outcome, a robustness estimate, a
#: subgroup estimate, a check of an assumption, or context (not an effect of the pilot)
Role = Literal["primary", "robustness", "subgroup", "diagnostic", "context"]
#: the roles whose records estimate an effect of the pilot
EFFECT_ROLES: tuple[str, ...] = ("primary", "robustness", "subgroup")
#: what the estimate is about: areas (districts, municipalities), clients, or a city
Level = Literal["area", "client", "city"]
#: the scale an area-level count was analysed on
Scale = Literal["level", "log", "per_labour_force"]


class _Contract(BaseModel):
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="forbid")


class VarianceCheck(_Contract):
    """How noisy the treated units are against the comparisons (``inference.scaled``)."""

    ratio: float | None = Field(description="treated noise / comparison noise")
    low: float | None = Field(description="lower end of the ratio's interval")
    high: float | None = Field(description="upper end of the ratio's interval")
    size_ratio: float | None = Field(description="comparison size / treated size, when known")


class RecordLabel(_Contract):
    """The outcome's name as the report prints it."""

    fi: str = Field(min_length=1)
    en: str | None = None
    sv: str | None = None


class ResultRecord(_Contract):
    """One estimate of results.json (NaN and infinities are written as null)."""

    model_config = ConfigDict(extra="allow")

    # -- filled by the estimator (EffectResults.to_record) --------------------------
    section: AnalysisSection = Field(description="the report section the estimate belongs to")
    outcome: str = Field(description="the outcome's name (as in params outcomes[].name)")
    model: str = Field(description="the estimator or check: did, its, synth, pretrend_test, ...")
    estimate: float | None
    se: float | None = Field(description="standard error (null when inference is not analytic)")
    ci_low: float | None = Field(description="lower end of the 1 - alpha interval")
    ci_high: float | None = Field(description="upper end of the 1 - alpha interval")
    pvalue: float | None = Field(ge=0, le=1)
    inference: str = Field(
        description="the inference used (a name of arviointi.inference.registry, or hac, "
        "placebo, none)"
    )
    n: int = Field(ge=0, description="observations")
    true_effect: float | None = Field(
        description="the planted true effect (synthetic data only; null otherwise)"
    )
    alpha: float | None = Field(default=None, gt=0, lt=1, description="1 - confidence level")
    inference_reason: str | None = Field(default=None, description="why this inference")
    n_treated: int | None = Field(default=None, ge=0)
    n_control: int | None = Field(default=None, ge=0)
    warnings: list[str] = Field(
        default_factory=list, description="what the estimator warned about its own inference"
    )
    variance_check: VarianceCheck | None = None
    # -- added by the section (Emitter.record(..., role=..., level=...)) ---------------
    role: Role | None = Field(default=None, description="no role: an effect estimate")
    level: Level | None = None
    label: RecordLabel | None = None
    unit: str | None = Field(
        default=None, description="the unit: a catalogue key (area.unit.pp) or a unit name (eur)"
    )
    scale: Scale | None = None
    rule_set: str | None = Field(default=None, description="costs: cost_rules.rule_set used")
    note: str | None = None
    shift: int | None = Field(default=None, description="placebo in time: months moved back")
    shift_months: int | None = Field(
        default=None, description="placebo in time (wellbeing): months moved back"
    )
    range_low: float | None = Field(default=None, description="leave one out: lowest estimate")
    range_high: float | None = Field(default=None, description="leave one out: highest")
    waves: list[int] | None = Field(default=None, description="survey waves compared")
    # -- added by the pipeline ------------------------------------------------------------
    notebook: str | None = Field(default=None, description="the notebook that recorded it")

    def to_json(self) -> dict[str, Any]:
        """The record as plain JSON types, with exactly the fields that were given."""
        return self.model_dump(mode="json", exclude_unset=True)


#: fields every record has (a record lacking one is refused)
REQUIRED_FIELDS: tuple[str, ...] = tuple(
    name for name, f in ResultRecord.model_fields.items() if f.is_required()
)
#: fields an estimator's ``to_record`` fills
ESTIMATOR_FIELDS: tuple[str, ...] = tuple(ResultRecord.model_fields)[
    : list(ResultRecord.model_fields).index("role")
]
#: fields a section may add with ``Emitter.record(result, **extra)``
SECTION_FIELDS: tuple[str, ...] = tuple(ResultRecord.model_fields)[
    len(ESTIMATOR_FIELDS) : list(ResultRecord.model_fields).index("notebook")
]


class ResultsDocument(_Contract):
    """results.json: the run's identity (no timestamps) and its records."""

    evaluation: str = Field(description="the params id")
    checkpoint: str | None = Field(description="the checkpoint id, when run at one")
    as_of: str | None = Field(description="the month the data were cut at (YYYY-MM)")
    synthetic: bool = Field(description="any input synthetic")
    seed: int
    records: list[ResultRecord]

    @model_validator(mode="after")
    def _truth_only_when_synthetic(self) -> ResultsDocument:
        if not self.synthetic:
            planted = [i for i, r in enumerate(self.records) if r.true_effect is not None]
            if planted:
                raise ValueError(
                    f"records {planted}: true_effect must be null, the data are not synthetic"
                )
        return self

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


def _messages(exc: ValidationError) -> list[str]:
    out = []
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"])
        if error["type"] == "missing":
            out.append(f"missing field '{where}'")
        elif error["type"] == "literal_error":
            expected = (error.get("ctx") or {}).get("expected", "")
            out.append(f"{where} {error.get('input')!r} is not one of {expected}")
        else:
            out.append(f"field '{where}': {error['msg']} (got {error.get('input')!r})")
    return out


def _non_finite(value: Any, where: str) -> list[str]:
    if isinstance(value, float) and not math.isfinite(value):
        return [f"field '{where}' is {value} (write null instead)"]
    if isinstance(value, Mapping):
        return [p for k, v in value.items() for p in _non_finite(v, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _non_finite(v, f"{where}.{i}")]
    return []


def record_problems(record: Any, *, synthetic: bool) -> tuple[ResultRecord | None, list[str]]:
    """The record checked against the contract: (the record, []) or (None, problems).

    Besides the field types: ``true_effect`` must be null unless the data are synthetic,
    and no value (declared or not) may be NaN or infinite.
    """
    if not isinstance(record, Mapping):
        return None, [f"a record must be a mapping, got {type(record).__name__}"]
    problems = [p for k, v in record.items() for p in _non_finite(v, str(k))]
    try:
        parsed = ResultRecord.model_validate(dict(record))
    except ValidationError as exc:
        problems += [p for p in _messages(exc) if "finite number" not in p]
        return None, problems
    if not synthetic and parsed.true_effect is not None:
        problems.append("true_effect must be null, the data are not synthetic")
    try:
        json.dumps(parsed.to_json(), allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"not plain JSON: {exc}")
    return (None, problems) if problems else (parsed, [])


def build_record(
    result: Any, *, section: str, true_effect: float | None, extra: Mapping[str, Any]
) -> dict[str, Any]:
    """The record of ``result`` (an EffectResults) with the section's ``extra`` fields.

    Raises InputError naming each field that is set by the result itself, not declared in
    :class:`ResultRecord`, or of the wrong type.
    """
    from arviointi.errors import InputError, Problem

    core = result.to_record(section=section, true_effect=true_effect)
    problems = [
        Problem(f"field {k!r}", "is set by the result itself")
        for k in sorted(set(extra) & set(core))
    ]
    problems += [
        Problem(
            f"field {k!r}",
            "is not a declared record field; a record holds plain JSON values of the "
            f"fields {', '.join(SECTION_FIELDS)} (arviointi.results.record)",
        )
        for k in sorted(set(extra) - set(core) - set(SECTION_FIELDS))
    ]
    if problems:
        raise InputError("<record>", problems)
    parsed, found = record_problems({**core, **extra}, synthetic=True)
    if parsed is None:
        raise InputError("<record>", [Problem("record", p) for p in found])
    return parsed.to_json()
