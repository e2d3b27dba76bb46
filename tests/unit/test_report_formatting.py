"""Number formatting against the written conventions (CLDR fi/en, SFS 4175).

Expected strings are typed from the conventions, not produced by the code; a property test
parses Finnish output back and compares with Python's Decimal rounding.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arviointi.errors import InputError
from arviointi.report.formatting import (
    fmt_date,
    fmt_euro,
    fmt_int,
    fmt_interval,
    fmt_month,
    fmt_number,
    fmt_percent,
    fmt_pp,
    fmt_pvalue,
    fmt_signed,
)

NB = "\u00a0"  # no-break space: the CLDR fi grouping separator
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("x", "decimals", "fi", "en"),
    [
        (11356, 0, f"11{NB}356", "11,356"),  # Turku unemployed, Dec 2011
        (1040, 0, f"1{NB}040", "1,040"),
        (12.9, 1, "12,9", "12.9"),
        (-1.234, 2, f"{MINUS}1,23", "-1.23"),
        (-1234567.891, 1, f"{MINUS}1{NB}234{NB}567,9", "-1,234,567.9"),
        (0.0, 1, "0,0", "0.0"),
        (-0.04, 1, "0,0", "0.0"),  # rounds to zero: no sign
        (999.96, 1, f"1{NB}000,0", "1,000.0"),
        (7, 3, "7,000", "7.000"),
    ],
)
def test_fmt_number(x: float, decimals: int, fi: str, en: str) -> None:
    assert fmt_number(x, "fi", decimals) == fi
    assert fmt_number(x, "en", decimals) == en


@pytest.mark.parametrize("missing", [None, math.nan, math.inf, -math.inf, "abc"])
def test_missing_values_print_as_en_dash(missing: object) -> None:
    for fn in (fmt_number, fmt_percent, fmt_euro, fmt_pp, fmt_pvalue):
        assert fn(missing, "fi") == "–"
    assert fmt_interval(missing, missing, "en") == "–"


def test_units() -> None:
    assert fmt_percent(26.9, "fi") == f"26,9{NB}%"
    assert fmt_percent(26.9, "en") == "26.9%"
    assert fmt_euro(175000, "fi") == f"175{NB}000{NB}€"
    assert fmt_euro(175000, "en") == "€175,000"
    assert fmt_euro(-966582, "en") == "-€966,582"
    assert fmt_euro(-966582, "fi") == f"{MINUS}966{NB}582{NB}€"
    assert fmt_pp(-1.2, "fi") == f"{MINUS}1,2{NB}%-yks."
    assert fmt_int(3244.5, "fi") == f"3{NB}244"  # half to even
    assert fmt_signed(1.25, "en", 1) == "+1.2"
    assert fmt_signed(-1.25, "fi", 1) == f"{MINUS}1,2"


@pytest.mark.parametrize(
    ("p", "fi", "en"),
    [
        (0.0004, f"p{NB}<{NB}0,001", f"p{NB}<{NB}0.001"),
        (0.004, f"p{NB}={NB}0,004", f"p{NB}={NB}0.004"),
        (0.0312, f"p{NB}={NB}0,03", f"p{NB}={NB}0.03"),
        (0.995, f"p{NB}>{NB}0,99", f"p{NB}>{NB}0.99"),
    ],
)
def test_pvalues(p: float, fi: str, en: str) -> None:
    assert fmt_pvalue(p, "fi") == fi
    assert fmt_pvalue(p, "en") == en


def test_intervals_and_dates() -> None:
    assert fmt_interval(-2.07, -0.4, "fi", 2) == f"[{MINUS}2,07; {MINUS}0,40]"
    assert fmt_interval(-2.07, 0.4, "en", 1) == "[-2.1, 0.4]"
    assert fmt_date("2026-11-22", "fi") == "22.11.2026"
    assert fmt_date(dt.date(2013, 1, 1), "en") == "1 January 2013"
    assert fmt_month(dt.date(2013, 7, 1), "fi") == "heinäkuu 2013"


def test_unknown_language_is_an_input_error() -> None:
    with pytest.raises(InputError, match="lang"):
        fmt_number(1.0, "de")


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=4),
)
def test_finnish_output_parses_back_to_the_rounded_value(x: float, decimals: int) -> None:
    text = fmt_number(x, "fi", decimals)
    assert "." not in text and "," not in text.replace(",", "", 1)
    parsed = Decimal(text.replace(NB, "").replace(MINUS, "-").replace(",", "."))
    expected = Decimal(x).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_EVEN)
    assert parsed == expected
    groups = text.lstrip(MINUS).split(",")[0].split(NB)
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3
