"""Number formatting for reports: Finnish and English conventions.

Finnish (SFS 4175 / CLDR ``fi``): decimal comma, a no-break space (U+00A0) between groups of
three digits, the minus sign U+2212, a no-break space before ``%`` and ``€``.
English: decimal point, comma groups, hyphen-minus, ``12.9%`` and ``€1,200``.
Missing values (``None``, NaN, infinities) print as an en dash ``–``.

    fmt_number(11356.4, "fi", 1)   # -> "11 356,4"  (U+00A0 between groups)
    fmt_pvalue(0.0004, "fi")       # -> "p < 0,001"
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "–"

_GROUP = {"fi": NBSP, "en": ","}
_DECIMAL = {"fi": ",", "en": "."}
_MINUS = {"fi": MINUS, "en": "-"}

_MONTHS = {
    "fi": [
        "tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
        "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ],
}  # fmt: skip


def _lang(lang: str) -> str:
    if lang not in _GROUP:
        from arviointi.errors import InputError, Problem

        raise InputError(
            "<number format>", [Problem("lang", f"expected 'fi' or 'en', got {lang!r}")]
        )
    return lang


def _as_float(x: Any) -> float | None:
    if x is None:
        return None
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def fmt_number(x: Any, lang: str, decimals: int = 1) -> str:
    """``x`` rounded to ``decimals`` places with the separators of ``lang``."""
    lang = _lang(lang)
    value = _as_float(x)
    if value is None:
        return MISSING
    text = f"{abs(value):,.{decimals}f}"
    # "-0,0" is not shown: a value that rounds to zero has no sign
    negative = value < 0 and any(ch in "123456789" for ch in text)
    text = text.replace(",", "\0").replace(".", _DECIMAL[lang]).replace("\0", _GROUP[lang])
    return (_MINUS[lang] if negative else "") + text


def fmt_int(x: Any, lang: str) -> str:
    """A whole number with thousands separators (rounded half to even)."""
    return fmt_number(x, lang, 0)


def fmt_signed(x: Any, lang: str, decimals: int = 1) -> str:
    """Like :func:`fmt_number` with an explicit ``+`` for positive values."""
    text = fmt_number(x, lang, decimals)
    value = _as_float(x)
    if value is not None and text[0].isdigit() and round(value, decimals) > 0:
        return "+" + text
    return text


def fmt_percent(x: Any, lang: str, decimals: int = 1) -> str:
    """``x`` already in per cent: ``12,9 %`` (fi) / ``12.9%`` (en)."""
    text = fmt_number(x, lang, decimals)
    if text == MISSING:
        return text
    return f"{text}{NBSP}%" if lang == "fi" else f"{text}%"


def fmt_pp(x: Any, lang: str, decimals: int = 1) -> str:
    """Percentage points: ``1,2 %-yks.`` (fi) / ``1.2 pp`` (en)."""
    text = fmt_number(x, lang, decimals)
    if text == MISSING:
        return text
    return f"{text}{NBSP}%-yks." if lang == "fi" else f"{text}{NBSP}pp"


def fmt_euro(x: Any, lang: str, decimals: int = 0) -> str:
    """Money: ``175 000 €`` (fi) / ``€175,000`` (en)."""
    text = fmt_number(x, lang, decimals)
    if text == MISSING:
        return text
    if lang == "fi":
        return f"{text}{NBSP}€"
    if text.startswith("-"):
        return f"-€{text[1:]}"
    return f"€{text}"


def fmt_pvalue(p: Any, lang: str) -> str:
    """A p-value: ``p < 0,001``, ``p = 0,004``, ``p = 0,03``, ``p > 0,99``."""
    value = _as_float(p)
    if value is None:
        return MISSING
    if value < 0.001:
        return f"p{NBSP}<{NBSP}{fmt_number(0.001, lang, 3)}"
    if value > 0.99:
        return f"p{NBSP}>{NBSP}{fmt_number(0.99, lang, 2)}"
    decimals = 3 if value < 0.01 else 2
    return f"p{NBSP}={NBSP}{fmt_number(value, lang, decimals)}"


def fmt_interval(low: Any, high: Any, lang: str, decimals: int = 1) -> str:
    """A confidence interval: ``[−1,2; 0,4]`` (fi, semicolon) / ``[-1.2, 0.4]`` (en)."""
    lo = fmt_number(low, lang, decimals)
    hi = fmt_number(high, lang, decimals)
    if lo == MISSING and hi == MISSING:
        return MISSING
    sep = "; " if lang == "fi" else ", "
    return f"[{lo}{sep}{hi}]"


def fmt_date(value: dt.date | str, lang: str) -> str:
    """A date: ``22.11.2026`` (fi) / ``22 November 2026`` (en). ISO strings accepted."""
    lang = _lang(lang)
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if lang == "fi":
        return f"{value.day}.{value.month}.{value.year}"
    return f"{value.day} {_MONTHS['en'][value.month - 1]} {value.year}"


def fmt_month(value: dt.date, lang: str) -> str:
    """A month: ``tammikuu 2013`` (fi) / ``January 2013`` (en)."""
    lang = _lang(lang)
    return f"{_MONTHS[lang][value.month - 1]} {value.year}"
