"""Declarative column specs of every input table (the contract of docs/data-schemas.md).

A :class:`Schema` lists its :class:`Column` specs plus table-level rules: the unique key,
pairs of columns where one may not exceed the other, and whether the unemployment rate is
derived when absent. :func:`arviointi.data.validate.validate` enforces them and
``data/README.md`` (the data dictionary) is checked against them by ``tests/unit/test_schemas.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["str", "int", "float", "month", "category"]

#: Months and years outside this range are rejected as out of range.
FIRST_YEAR = 1990
LAST_YEAR = 2035


@dataclass(frozen=True)
class Column:
    """One column of a schema.

    name : the schema (contract) name
    kind : "str", "int", "float", "month" (datetime64, month start) or "category"
    required : the column must be present
    nullable : missing values are allowed in individual rows (an all-missing required
        column is still an error)
    minimum, maximum : inclusive numeric bounds (None = unbounded)
    allowed : the permitted values of a "category" column
    unit : unit for the data dictionary ("persons", "EUR", "%", ...)
    description : one line for the data dictionary
    """

    name: str
    kind: Kind
    required: bool = False
    nullable: bool = True
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] = ()
    unit: str = ""
    description: str = ""

    def expected(self) -> str:
        """Plain-English description of a valid value, used in error messages."""
        if self.kind == "category":
            return "one of " + ", ".join(repr(a) for a in self.allowed)
        if self.kind == "month":
            return (
                f"a month like 2012-01, 2012M01, 1.1.2012 or 2012-01-01 "
                f"(years {FIRST_YEAR}..{LAST_YEAR})"
            )
        base = {"int": "a whole number", "float": "a number", "str": "text"}[self.kind]
        if self.minimum is not None and self.maximum is not None:
            return f"{base} in {_num(self.minimum)}..{_num(self.maximum)}"
        if self.minimum is not None:
            return f"{base} >= {_num(self.minimum)}"
        if self.maximum is not None:
            return f"{base} <= {_num(self.maximum)}"
        return base


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@dataclass(frozen=True)
class Schema:
    """A table schema: its columns and table-level rules.

    key : columns that identify a row (no duplicates, no missing values)
    not_greater : pairs (a, b) meaning a <= b in every row where both are present
    derive_rate : add ``unemployment_rate = 100 * unemployed / labour_force`` when the
        rate is absent and both counts are present
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    not_greater: tuple[tuple[str, str], ...] = ()
    derive_rate: bool = False

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _count(name: str, description: str, *, required: bool = False) -> Column:
    return Column(
        name, "int", required=required, minimum=0, unit="persons", description=description
    )


AREA_PANEL = Schema(
    name="area_panel",
    description="Area x month panel of registered unemployment (one row per area and month).",
    columns=(
        Column(
            "area",
            "str",
            required=True,
            nullable=False,
            description="municipality or district name",
        ),
        Column(
            "month",
            "month",
            required=True,
            nullable=False,
            description="calendar month (stored as the first day of the month)",
        ),
        _count("unemployed", "unemployed jobseekers at the end of the month", required=True),
        _count("labour_force", "labour force (employed + unemployed)"),
        Column(
            "unemployment_rate",
            "float",
            minimum=0,
            maximum=100,
            unit="%",
            description="100 * unemployed / labour_force (derived when absent)",
        ),
        _count("long_term_unemployed", "unemployed continuously for over one year"),
        _count("kela_list", "persons with over 500 benefit days (municipality pays a share)"),
        _count("youth_unemployed", "unemployed under 25 years"),
        _count("over50_unemployed", "unemployed over 50 years"),
        _count("foreign_language_unemployed", "unemployed with a foreign mother tongue"),
        _count("social_assistance_recipients", "recipients of social assistance"),
        _count("population", "resident population"),
    ),
    key=("area", "month"),
    not_greater=(
        ("long_term_unemployed", "unemployed"),
        ("youth_unemployed", "unemployed"),
        ("over50_unemployed", "unemployed"),
        ("foreign_language_unemployed", "unemployed"),
        ("unemployed", "labour_force"),
    ),
    derive_rate=True,
)

CLIENTS = Schema(
    name="clients",
    description="One row per client (person) of the pilot or the comparison group.",
    columns=(
        Column("person_id", "str", required=True, nullable=False, description="pseudonymous id"),
        Column(
            "group",
            "category",
            required=True,
            nullable=False,
            allowed=("pilot", "comparison"),
            description="pilot client or comparison person",
        ),
        Column("area", "str", description="area of residence at entry"),
        Column(
            "age",
            "int",
            minimum=15,
            maximum=99,
            unit="years",
            description="age at entry",
        ),
        Column("language", "category", allowed=("fi", "sv", "other"), description="language"),
        Column(
            "education",
            "category",
            allowed=("basic", "secondary", "tertiary"),
            description="highest completed education",
        ),
        Column(
            "unemployment_days_at_entry",
            "int",
            minimum=0,
            unit="days",
            description="benefit days accumulated at entry",
        ),
        Column("entry_month", "month", description="month of entry"),
    ),
    key=("person_id",),
)

CLIENT_PANEL = Schema(
    name="client_panel",
    description="Person x month panel (unbalanced: persons enter and leave).",
    columns=(
        Column("person_id", "str", required=True, nullable=False, description="pseudonymous id"),
        Column("month", "month", required=True, nullable=False, description="calendar month"),
        Column(
            "status",
            "category",
            required=True,
            allowed=("unemployed", "employed", "services", "outside"),
            description="labour-market status in the month",
        ),
        Column(
            "benefit_days",
            "int",
            minimum=0,
            maximum=31,
            unit="days",
            description="labour market subsidy days paid in the month",
        ),
        Column(
            "municipal_share_eur",
            "float",
            minimum=0,
            unit="EUR",
            description="municipal share of the labour market subsidy in the month",
        ),
    ),
    key=("person_id", "month"),
)

SURVEY = Schema(
    name="survey",
    description="Client survey, one row per person and wave (missing waves allowed).",
    columns=(
        Column("person_id", "str", required=True, nullable=False, description="pseudonymous id"),
        Column(
            "wave",
            "int",
            required=True,
            nullable=False,
            minimum=0,
            description="survey wave (0 = baseline)",
        ),
        Column("month", "month", description="month of the answer"),
        Column(
            "life_management",
            "float",
            minimum=1,
            maximum=10,
            unit="scale 1-10",
            description="self-rated life management",
        ),
        Column(
            "work_ability",
            "float",
            minimum=0,
            maximum=10,
            unit="scale 0-10",
            description="work ability index (single item)",
        ),
        Column(
            "wellbeing",
            "float",
            minimum=14,
            maximum=70,
            unit="scale 14-70",
            description="well-being scale (WEMWBS-like sum of 14 items)",
        ),
    ),
    key=("person_id", "wave"),
)

COST_LEDGER = Schema(
    name="cost_ledger",
    description="Pilot costs, one row per year and cost category.",
    columns=(
        Column(
            "year",
            "int",
            required=True,
            nullable=False,
            minimum=FIRST_YEAR,
            maximum=LAST_YEAR,
            description="calendar year",
        ),
        Column("category", "str", required=True, nullable=False, description="cost category"),
        Column(
            "budget",
            "float",
            required=True,
            unit="EUR",
            description="budgeted amount (negative = saving)",
        ),
        Column("actual", "float", unit="EUR", description="actual amount (negative = saving)"),
        Column("grant", "float", minimum=0, unit="EUR", description="state grant"),
    ),
    key=("year", "category"),
)

INVOICES = Schema(
    name="invoices",
    description="Kela's monthly invoices of the municipal share, one row per month and area.",
    columns=(
        Column("month", "month", required=True, nullable=False, description="invoiced month"),
        Column("area", "str", required=True, nullable=False, description="municipality"),
        Column(
            "municipal_share_eur",
            "float",
            required=True,
            minimum=0,
            unit="EUR",
            description="municipal share of the labour market subsidy invoiced by Kela",
        ),
    ),
    key=("month", "area"),
)

MEASURES = Schema(
    name="measures",
    description="Organisation-level follow-up of agreed measures, one row per measure.",
    columns=(
        Column(
            "measure_id",
            "int",
            required=True,
            nullable=False,
            minimum=1,
            description="number of the measure (conclusion)",
        ),
        Column("theme", "str", required=True, description="theme the measure belongs to"),
        Column("title_fi", "str", required=True, description="measure in Finnish"),
        Column("title_en", "str", required=True, description="measure in English"),
        Column("responsible", "str", required=True, description="responsible bodies"),
        Column(
            "status",
            "category",
            required=True,
            allowed=("done", "under_way", "not_done", "postponed"),
            description="implementation status",
        ),
        Column("schedule", "str", description="schedule as stated in the source"),
    ),
    key=("measure_id",),
)

SCHEMAS: dict[str, Schema] = {
    s.name: s for s in (AREA_PANEL, CLIENTS, CLIENT_PANEL, SURVEY, COST_LEDGER, INVOICES, MEASURES)
}


def get_schema(name: str) -> Schema:
    """Return the schema called ``name``; raise KeyError naming the valid ones."""
    try:
        return SCHEMAS[name]
    except KeyError:
        raise KeyError(f"unknown schema {name!r}; expected one of {sorted(SCHEMAS)}") from None


DICTIONARY_BEGIN = "<!-- BEGIN DATA DICTIONARY (generated from arviointi.data.schemas) -->"
DICTIONARY_END = "<!-- END DATA DICTIONARY -->"


def render_data_dictionary() -> str:
    """The data dictionary (Markdown) of every schema, as kept in data/README.md."""
    kinds = {
        "str": "text",
        "int": "integer",
        "float": "number",
        "month": "month",
        "category": "category",
    }
    out = [DICTIONARY_BEGIN, ""]
    for s in SCHEMAS.values():
        out.append(f"### `{s.name}`")
        out.append("")
        out.append(s.description)
        out.append("")
        out.append(f"Unique key: ({', '.join(s.key)}).")
        rules = [f"`{a}` <= `{b}`" for a, b in s.not_greater]
        if rules:
            out.append(f"Row rules: {', '.join(rules)}.")
        if s.derive_rate:
            out.append(
                "`unemployment_rate` is derived as 100 * unemployed / labour_force when absent."
            )
        out.append("")
        out.append("| column | type | unit | allowed values | required | description |")
        out.append("|---|---|---|---|---|---|")
        for c in s.columns:
            if c.kind == "category":
                allowed = ", ".join(f"`{a}`" for a in c.allowed)
            elif c.kind == "month":
                allowed = f"{FIRST_YEAR}-01..{LAST_YEAR}-12"
            elif c.minimum is not None or c.maximum is not None:
                lo = "" if c.minimum is None else _num(c.minimum)
                hi = "" if c.maximum is None else _num(c.maximum)
                allowed = f"{lo}..{hi}"
            else:
                allowed = ""
            if c.required and not c.nullable:
                req = "yes, no missing values"
            elif c.required:
                req = "yes"
            else:
                req = "no"
            out.append(
                f"| `{c.name}` | {kinds[c.kind]} | {c.unit} | {allowed} | {req} | {c.description} |"
            )
        out.append("")
    out.append(DICTIONARY_END)
    return "\n".join(out)
