"""Numbers and dates by the locale's rules (CLDR data through Babel), for languages the
hand-tuned :mod:`arviointi.report.formatting` does not cover: Swedish (``sv``, as written
in Finland, ``sv_FI``) on the presentationsblad and in the sammandrag. Finnish and English
keep :mod:`formatting` (SFS 4175 and the report's English style) so a report's numbers
look the same on every page.

    number(-1.15, "sv", 2)          # -> "−1,15"
    date_long("2026-11-22", "sv")   # -> "22 november 2026"
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import get_minus_sign_symbol

from arviointi.report import formatting as fm

#: Babel locales of the report languages
LOCALES = {"fi": "fi_FI", "sv": "sv_FI", "en": "en_GB"}


def _locale(lang: str) -> str:
    if lang not in LOCALES:
        from arviointi.errors import InputError, Problem

        raise InputError("<locale format>", [Problem("lang", f"expected one of {list(LOCALES)}")])
    return LOCALES[lang]


def number(x: Any, lang: str, decimals: int = 1) -> str:
    """``x`` with ``decimals`` decimals; missing values print as an en dash."""
    if lang in ("fi", "en"):
        return fm.fmt_number(x, lang, decimals)
    if x is None or isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return fm.MISSING
    name = _locale(lang)
    locale = Locale.parse(name)
    pattern = copy.copy(locale.decimal_formats[None])
    pattern.frac_prec = (decimals, decimals)
    text = pattern.apply(float(x), locale)
    # Babel writes the pattern's ASCII hyphen; CLDR's minus sign for the locale replaces it
    return text.replace("-", get_minus_sign_symbol(name))


def integer(x: Any, lang: str) -> str:
    """A whole number with the locale's digit grouping."""
    if lang in ("fi", "en"):
        return fm.fmt_int(x, lang)
    return number(x, lang, 0)


def interval(low: Any, high: Any, lang: str, decimals: int = 1) -> str:
    """``[low; high]`` (the report's interval style) with the locale's numbers."""
    if lang in ("fi", "en"):
        return fm.fmt_interval(low, high, lang, decimals)
    return f"[{number(low, lang, decimals)}; {number(high, lang, decimals)}]"


def date_long(value: str | dt.date, lang: str) -> str:
    """A date in words (``22 november 2026``); free text other than ISO is kept."""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return format_date(day, format="long", locale=_locale(lang))
