"""The parameters of one evaluation (``params/*.yaml``) as pydantic models.

Every model forbids unknown keys and is strict about types (``"5"`` is not a number), so a
typo or a wrong type is reported instead of silently ignored. Cross-field rules (windows in
order, checkpoints inside the experiment, ...) live in :mod:`arviointi.params.checks` so
that they can be reported together with type errors in one message.

Relative paths (``base_dir``, data ``path``, ``notebooks_dir``, ``report.output_dir``) are
resolved as follows: ``base_dir`` against the directory of the parameters file (default
``..``, i.e. the project root for a file in ``params/``), everything else against
``base_dir``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, model_validator

from arviointi.params.months import Month
from arviointi.results.sections import AnalysisSection


def _iso_date(value: Any) -> Any:
    """A YAML date (``2026-11-22`` unquoted) as its ISO text."""
    return value.isoformat() if isinstance(value, dt.date) else value


IsoDate = Annotated[str, BeforeValidator(_iso_date), Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)]
Language = Literal["fi", "en"]
#: the analysis sections (defined once, in arviointi.results.sections)
Section = AnalysisSection
#: ``"auto"`` and the names of arviointi.inference.registry for ``did`` (a test keeps the two
#: the same; a literal list keeps the schema readable for editors and mypy)
InferenceMethod = Literal[
    "auto",
    "classical",
    "robust",
    "cluster",
    "wild",
    "permutation",
    "conley_taber",
    "donald_lang",
    "scaled_dl",
    "conformal",
]
SourceKind = Literal["file", "statfin_12r5", "synthetic"]
SourceSchema = Literal[
    "area_panel", "clients", "client_panel", "survey", "cost_ledger", "invoices", "measures"
]
SourceFormat = Literal["csv", "excel", "parquet", "px", "jsonstat"]
SourceEngine = Literal["auto", "duckdb", "spark", "pandas"]

#: the notebook names used when params give no ``notebooks`` list: every notebook found
DEFAULT_NOTEBOOKS: None = None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)


#: a title, label or description longer than this is not one (and would not print)
MAX_TEXT = 2000


class Text(_Strict):
    """A text in Finnish and optionally English and Swedish (at most :data:`MAX_TEXT`
    characters; Swedish is shown where the report has Swedish: the presentationsblad and the
    sammandrag)."""

    fi: str = Field(min_length=1, max_length=MAX_TEXT)
    en: str | None = Field(default=None, max_length=MAX_TEXT)
    sv: str | None = Field(default=None, max_length=MAX_TEXT)


class Keywords(_Strict):
    """Keywords of the description sheets, per language."""

    fi: list[str] = Field(default_factory=list)
    sv: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class DataSource(_Strict):
    """One data source: a file, the shipped StatFin 12r5 panel, or synthetic data."""

    kind: SourceKind
    schema_: SourceSchema = Field(alias="schema")
    path: str | None = Field(
        default=None,
        description="file path, Parquet directory or glob ('extract/*.parquet'), relative to "
        "base_dir",
    )
    format: SourceFormat | None = None
    engine: SourceEngine = Field(
        default="auto",
        description="what computes on a Parquet/CSV source: 'auto' (by size: pandas in memory "
        "up to 2 million rows, else DuckDB; the choice is written to the manifest), 'duckdb', "
        "'spark' or 'pandas'",
    )
    sep: str | None = None
    decimal: str | None = None
    encoding: str | None = None
    sheet: str | int | None = None
    columns: dict[str, str] = Field(
        default_factory=dict, description="source column name -> schema column name"
    )
    areas: list[str] | None = Field(default=None, description="keep only these areas")
    level: str | None = Field(
        default=None, description="StatFin area level (kunta, seutukunta, maakunta, ...)"
    )
    seed: int | None = Field(
        default=None, description="synthetic sources: default is the evaluation's seed"
    )
    generator: str | dict[str, Any] | None = Field(
        default=None,
        description="synthetic generator: its name ('turku') or a mapping of its options",
    )
    licence: str | None = None
    attribution: str | None = None


class Checkpoint(_Strict):
    """An interim evaluation point: the report is re-run on data up to ``date``."""

    id: Slug
    date: Month
    label: Text


class Comparison(_Strict):
    """Comparison areas: an explicit list, or a rule with exclusions and a reason."""

    areas: list[str] | None = None
    rule: dict[str, Any] | None = None
    exclude: list[str] = Field(default_factory=list)
    reason: str | None = None


class Design(_Strict):
    """Who is treated, when, and which months are compared."""

    unit: Literal["area"] = "area"
    pilot_areas: list[str] = Field(min_length=1)
    comparison: Comparison
    start: Month | None = Field(default=None, description="first month of data used (optional)")
    pilot_start: Month
    end: Month
    pre_window: list[Month] = Field(min_length=2, max_length=2)
    post_window: list[Month] = Field(min_length=2, max_length=2)
    checkpoints: list[Checkpoint] = Field(default_factory=list)
    as_of: str | None = Field(default=None, description="a checkpoint id or a YYYY-MM month")
    city: str | None = Field(
        default=None,
        description="the city the pilot areas lie in: the city-level context (notebook "
        "employment_context) compares it with the other cities of its data source",
    )


class Outcome(_Strict):
    name: str = Field(min_length=1)
    section: Section
    level: Literal["area", "client"] = "area"
    label: Text
    unit: str | None = None
    source: str | None = Field(default=None, description="name of the data source (optional)")


class BeforeAfterOptions(_Strict):
    method: Literal["its", "prepost"] = "its"
    seasonality: Literal["month"] | None = "month"
    hac_lags: int | None = Field(default=None, ge=0)


class DidOptions(_Strict):
    """The difference-in-differences (area level; the DiD always clusters on the area)."""

    inference: InferenceMethod = Field(
        default="auto",
        description="'auto' chooses from the design and says why; or a method name",
    )
    n_boot: int = Field(
        default=9999,
        ge=99,
        description="draws of the wild cluster bootstrap (inference 'wild', and the "
        "labour-force weighted DiD of several pilot areas); default 9999",
    )


class EventStudyOptions(_Strict):
    enabled: bool = True
    leads: int = Field(default=6, ge=0)
    lags: int = Field(default=12, ge=0)
    reference: int = Field(
        default=-1, le=-1, description="the omitted pre-period (a negative relative month)"
    )


class SyntheticControlOptions(_Strict):
    enabled: bool = True
    donors: list[str] | None = None


class MatchingOptions(_Strict):
    enabled: bool = False
    covariates: list[str] = Field(default_factory=list)
    caliper: float | None = Field(default=None, gt=0)


class Models(_Strict):
    before_after: BeforeAfterOptions = BeforeAfterOptions()
    did: DidOptions = DidOptions()
    event_study: EventStudyOptions = EventStudyOptions()
    synthetic_control: SyntheticControlOptions = SyntheticControlOptions()
    matching: MatchingOptions = MatchingOptions()


class InferenceOptions(_Strict):
    alpha: float = Field(
        default=0.05, gt=0, lt=0.5, description="1 - the confidence level of every interval"
    )
    n_boot: int = Field(
        default=999,
        ge=1,
        description="permutations of the event study's randomisation inference (each refits "
        "the model, so at most 199 are drawn); the DiD's wild bootstrap draws are "
        "models.did.n_boot",
    )
    seed: int | None = Field(
        default=None, description="seed of resampling inference; default: the evaluation's seed"
    )


class Disclosure(_Strict):
    threshold: int = Field(default=5, ge=1)


class CostTarget(_Strict):
    """A cost target set in the pilot's plan: the municipal share of the labour market
    subsidy changed by ``target_pct`` per cent from ``base_year`` (about ``amount_eur``
    euros) by the month ``by``."""

    base_year: int = Field(ge=1990, le=2100, description="the year the change is measured from")
    target_pct: float = Field(description="the planned change in per cent (a cut is negative)")
    amount_eur: float = Field(gt=0, description="the planned change in euros (its size)")
    by: Month = Field(description="the month the target is to be reached (YYYY-MM)")
    source: str | None = Field(default=None, description="where the target is set")


class CostRules(_Strict):
    """How costs are computed (notebook costs)."""

    rule_set: Literal["by_year", "pre2015", "2015"] = Field(
        description=(
            "municipal share of the labour market subsidy: pre2015 (50 % past 500 days), 2015 "
            "(state days 1-300, 50 % to 1000, 70 % after; services state-paid), or by_year "
            "(each month under the rules in force then)"
        )
    )
    notes: str | None = Field(default=None, description="free text, shown in the appendix")
    daily_subsidy_eur: float = Field(
        default=32.50,
        gt=0,
        description="the labour market subsidy's basic daily amount the municipal shares "
        "apply to (EUR); default 32.50, the 2013 level",
    )
    grant_rate: float = Field(
        default=0.75,
        ge=0,
        le=1,
        description="share of the pilot's costs paid by the employment-policy grant, used "
        "where the cost ledger has no grant column; default 0.75",
    )
    target: CostTarget | None = Field(
        default=None, description="the cost target of the pilot's plan (none: none is set)"
    )


class ReportOptions(_Strict):
    """Where reports go, and the publication facts of the description sheets
    (kuvailulehti / presentationsblad / description sheet) at the front of every report."""

    output_dir: str = "reports"
    publisher: Text | None = Field(
        default=None,
        description="e.g. Työ- ja elinkeinoministeriö / Arbets- och näringsministeriet",
    )
    commissioned_by: Text | None = Field(default=None, description="who ordered the evaluation")
    series: Text | None = Field(default=None, description="publication series name")
    series_number: str | None = Field(
        default=None, description="number in the series, e.g. 2026:12"
    )
    isbn: str | None = Field(default=None, description="ISBN of the PDF")
    issn: str | None = Field(default=None, description="ISSN of the series (PDF)")
    urn: str | None = Field(default=None, description="permanent address (URN or URL)")
    date: IsoDate | None = Field(
        default=None,
        description="publication date YYYY-MM-DD (default: the day the report is made)",
    )
    keywords: Keywords = Keywords()


class Evaluation(_Strict):
    """The validated parameters of one evaluation."""

    id: Slug
    title: Text
    authors: list[str] = Field(default_factory=list)
    languages: list[Language] = Field(default=["fi"], min_length=1)
    description: Text | None = None
    base_dir: str = ".."
    data: dict[str, DataSource] = Field(default_factory=dict)
    design: Design
    outcomes: list[Outcome] = Field(min_length=1)
    models: Models = Models()
    inference: InferenceOptions = InferenceOptions()
    disclosure: Disclosure = Disclosure()
    seed: int = Field(default=0, ge=0)
    notebooks: list[str] | None = Field(
        DEFAULT_NOTEBOOKS, description="notebook names without .ipynb; default: all"
    )
    notebooks_dir: str = "notebooks"
    final_notebooks: list[str] = Field(
        default_factory=lambda: ["synthesis"],
        description=(
            "notebooks run after all the others; they read the others' results records "
            "from <run_dir>/records.json (the synthesis: headline table, assumptions log)"
        ),
    )
    cost_rules: CostRules | None = None
    report: ReportOptions = ReportOptions()

    _source_path: Path | None = PrivateAttr(None)
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _synthetic_seeds(self) -> Evaluation:
        """A synthetic source without its own seed uses the evaluation's ``seed``."""
        for source in self.data.values():
            if source.kind == "synthetic" and source.seed is None:
                source.seed = self.seed
        return self

    # -- where things are ------------------------------------------------------------
    @property
    def source_path(self) -> Path | None:
        """The parameters file this evaluation was read from (None when built in code)."""
        return self._source_path

    @property
    def root(self) -> Path:
        """``base_dir`` resolved against the parameters file's directory."""
        anchor = self._source_path.parent if self._source_path is not None else Path.cwd()
        return (anchor / self.base_dir).resolve()

    def resolve(self, relative: str) -> Path:
        """A path from the parameters, resolved against :attr:`root`."""
        return (self.root / relative).resolve()

    def notebook_paths(self) -> list[Path]:
        """The notebooks to run, in report order."""
        directory = self.resolve(self.notebooks_dir)
        if self.notebooks is None:
            return sorted(directory.glob("*.ipynb"))
        return [directory / f"{name}.ipynb" for name in self.notebooks]

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """The line of a key path in the parameters file, when known."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    # -- what notebooks receive ----------------------------------------------------
    def to_params(self) -> dict[str, Any]:
        """The validated parameters as plain JSON types (what notebooks receive).

        Data sources list only the fields that are set (no nulls), so that each can be
        passed as it is to ``arviointi.data.load_source``.
        """
        params = self.model_dump(mode="json", by_alias=True)
        params["data"] = {
            name: spec.model_dump(mode="json", by_alias=True, exclude_none=True)
            for name, spec in self.data.items()
        }
        return params

    @property
    def inference_seed(self) -> int:
        """The seed of resampling inference: ``inference.seed``, else the evaluation's ``seed``."""
        return self.inference.seed if self.inference.seed is not None else self.seed

    @property
    def synthetic(self) -> bool:
        return any(s.kind == "synthetic" for s in self.data.values())

    def checkpoint(self, key: str) -> Checkpoint | None:
        return next((c for c in self.design.checkpoints if c.id == key), None)
