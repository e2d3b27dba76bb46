"""The HTML of report tables: cell formats, header labels, rows and the captioned frame.

:meth:`arviointi.report.emitter.Emitter.table` decides what may be shown (disclosure
control); this module only writes it, once per language:

    layout = TableLayout.of(df, columns={"n": "column.n"}, formats={"share": "percent:1"})
    body = layout.html("fi", mask)                 # <table>...</table>
    captioned_table(body, "Taulukko: Kustannukset", "fi")
"""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from arviointi.errors import InputError, Problem
from arviointi.report import formatting as fm
from arviointi.report.disclosure import DEFAULT_MARKER
from arviointi.report.i18n import has_message, t
from arviointi.report.table_markup import scroll_wrap

#: writes one cell value in one language
Formatter = Callable[[Any, str], str]


def local_text(value: Any, lang: str) -> str:
    """The ``lang`` text of a per-language cell ({"fi": ..., "en": ...}); Finnish if absent."""
    if value is None or value is pd.NA:
        return fm.MISSING
    if isinstance(value, Mapping):
        text = value.get(lang) or value.get("fi")
        return fm.MISSING if text is None else str(text)
    return str(value)


#: the cell formats a table column may ask for: ``name`` or ``name:decimals``
FORMATS: dict[str, Callable[[Any, str, int | None], str]] = {
    "int": lambda x, lang, _d: fm.fmt_int(x, lang),
    "number": lambda x, lang, d: fm.fmt_number(x, lang, 1 if d is None else d),
    "percent": lambda x, lang, d: fm.fmt_percent(x, lang, 1 if d is None else d),
    "pp": lambda x, lang, d: fm.fmt_pp(x, lang, 1 if d is None else d),
    "euro": lambda x, lang, d: fm.fmt_euro(x, lang, 0 if d is None else d),
    "pvalue": lambda x, lang, _d: fm.fmt_pvalue(x, lang),
    "signed": lambda x, lang, d: fm.fmt_signed(x, lang, 1 if d is None else d),
    "text": lambda x, _lang, _d: fm.MISSING if x is None or x is pd.NA else str(x),
    # a cell that is already written in every language: {"fi": ..., "en": ...}
    "local": lambda x, lang, _d: local_text(x, lang),
}


def typed_columns(frame: pd.DataFrame, types: Mapping[str, type]) -> pd.DataFrame:
    """The columns ``types`` names, in that order, each cast to its type: the frame a
    report table is built from (no other column of the analysis leaks into it)."""
    return pd.DataFrame({name: frame[name].astype(kind) for name, kind in types.items()})


def column_label(col: Any, columns: Mapping[Any, str], lang: str, source: str = "<table>") -> str:
    """The header of column ``col``: its key in ``columns`` or ``column.<col>``."""
    key = columns.get(col, f"column.{col}")
    if not has_message(key, lang):
        raise InputError(
            source,
            [
                Problem(
                    f"column {col!r}",
                    f"no label: pass columns={{{col!r}: 'column.<key>'}} with a catalogue "
                    f"key (tried {key!r})",
                )
            ],
        )
    return t(key, lang, level=fm.fmt_number(95, lang, 0))


def cell_formatter(col: Any, series: pd.Series, spec: str | None) -> Formatter:
    """The formatter of column ``col``: ``spec`` (see :data:`FORMATS`) or one by dtype."""
    if spec is None:
        if pd.api.types.is_bool_dtype(series):
            spec = "text"
        elif pd.api.types.is_integer_dtype(series):
            spec = "int"
        elif pd.api.types.is_float_dtype(series):
            spec = "number"
        else:
            spec = "text"
    name, _, digits = spec.partition(":")
    if name not in FORMATS or (digits and not digits.isdigit()):
        raise InputError(
            "<table>",
            [Problem(f"formats[{col!r}]", f"unknown format {spec!r}; expected {list(FORMATS)}")],
        )
    fn = FORMATS[name]
    decimals = int(digits) if digits else None
    return lambda x, lang: fn(x, lang, decimals)


@dataclass(frozen=True)
class TableLayout:
    """How one DataFrame is written as a table, in any language (see :meth:`of`)."""

    df: pd.DataFrame
    columns: Mapping[Any, str]
    formats: Mapping[Any, str]
    translate: Mapping[Any, str]
    formatters: Mapping[Any, Formatter]
    index_key: str | None
    total_row: Hashable | None
    show_index: bool
    source: str

    @classmethod
    def of(
        cls,
        df: pd.DataFrame,
        *,
        columns: Mapping[Any, str] | None = None,
        formats: Mapping[Any, str] | None = None,
        translate: Mapping[Any, str] | None = None,
        index_key: str | None = None,
        total_row: Hashable | None = None,
        source: str = "<table>",
    ) -> TableLayout:
        """The layout of ``df``; a default RangeIndex without ``index_key`` is hidden."""
        formats = dict(formats or {})
        return cls(
            df=df,
            columns=dict(columns or {}),
            formats=formats,
            translate=dict(translate or {}),
            formatters={c: cell_formatter(c, df[c], formats.get(c)) for c in df.columns},
            index_key=index_key,
            total_row=total_row,
            show_index=not (
                isinstance(df.index, pd.RangeIndex) and df.index.name is None and index_key is None
            ),
            source=source,
        )

    def _is_total(self, idx: Hashable) -> bool:
        return self.total_row is not None and idx == self.total_row

    def head(self, lang: str) -> str:
        """The header cells in ``lang``."""
        df = self.df
        head = []
        if self.show_index:
            label = (
                t(self.index_key, lang)
                if self.index_key
                else column_label(df.index.name, self.columns, lang, self.source)
                if df.index.name is not None
                else ""
            )
            head.append(f'<th scope="col">{html.escape(label)}</th>')
        for c in df.columns:
            num = self.formats.get(c, "text") not in (
                "text",
                "local",
            ) or pd.api.types.is_numeric_dtype(df[c])
            cls = ' class="num"' if num and c not in self.translate else ""
            label = column_label(c, self.columns, lang, self.source)
            head.append(f'<th scope="col"{cls}>{html.escape(label)}</th>')
        return "".join(head)

    def _cell(self, c: Any, value: Any, hidden: bool, lang: str) -> str:
        if hidden:
            text, cls = DEFAULT_MARKER, "num suppressed"
        elif c in self.translate:
            text, cls = t(f"{self.translate[c]}.{value}", lang), "txt"
        else:
            text = self.formatters[c](value, lang)
            cls = "num" if pd.api.types.is_numeric_dtype(self.df[c]) else "txt"
        return f'<td class="{cls}">{html.escape(text)}</td>'

    def rows(self, lang: str, mask: pd.DataFrame) -> str:
        """The body rows in ``lang``; cells where ``mask`` is True show the marker."""
        rows = []
        for pos, (idx, row) in enumerate(self.df.iterrows()):
            cells = []
            if self.show_index:
                shown = t("column.total", lang) if self._is_total(idx) else str(idx)
                cells.append(f'<th scope="row">{html.escape(shown)}</th>')
            hidden = mask.iloc[pos]
            cells.extend(self._cell(c, row[c], bool(hidden[c]), lang) for c in self.df.columns)
            row_cls = ' class="total"' if self._is_total(idx) else ""
            rows.append(f"<tr{row_cls}>{''.join(cells)}</tr>")
        return "".join(rows)

    def html(self, lang: str, mask: pd.DataFrame) -> str:
        """The ``<table>`` in ``lang``."""
        return (
            f"<table><thead><tr>{self.head(lang)}</tr></thead>"
            f"<tbody>{self.rows(lang, mask)}</tbody></table>"
        )


def captioned_table(table: str, caption: str, lang: str, note: str = "") -> str:
    """A table in its numbered figure frame: ``caption`` is plain text (escaped here) and
    also names the scroll region; ``note`` is HTML put under the table."""
    return (
        '<figure class="arv-table" role="group">'
        f'<figcaption><span class="arv-num" data-kind="table">'
        f"{html.escape(t('report.table_fallback', lang))}</span> {html.escape(caption)}"
        f"</figcaption>{scroll_wrap(table, caption)}{note}</figure>"
    )


def disclosure_note(lang: str, threshold: int) -> str:
    """The note under a table with hidden cells."""
    text = t("disclosure.note", lang, marker=DEFAULT_MARKER, threshold=threshold)
    return f'<p class="arv-table-note">{html.escape(text)}</p>'


#: the columns of :func:`estimates_html`; from the third on they are numbers
_ESTIMATE_COLUMNS = ("outcome", "model", "estimate", "ci", "pvalue", "n")


def estimates_frame(results: Sequence[Any], outcome_keys: Sequence[str]) -> pd.DataFrame:
    """One row per result (an EffectResults or its record): the catalogue keys of its
    outcome, model and inference, and its numbers."""
    rows = []
    for result, okey in zip(results, outcome_keys, strict=True):
        rec = result if isinstance(result, Mapping) else result.to_record(section="")
        rows.append(
            {
                "outcome": okey,
                "model": f"method.{rec['model']}",
                "estimate": rec["estimate"],
                "ci_low": rec["ci_low"],
                "ci_high": rec["ci_high"],
                "pvalue": rec["pvalue"],
                "inference": f"inference.{rec['inference']}",
                "n": rec["n"],
            }
        )
    frame = pd.DataFrame(rows)
    for col in ("ci_low", "ci_high", "estimate", "pvalue"):
        frame[col] = frame[col].astype(float)
    return frame


def _label_or_key(key: str, lang: str) -> str:
    return t(key, lang) if has_message(key, lang) else str(key)


def estimates_html(frame: pd.DataFrame, lang: str, decimals: int) -> str:
    """The ``<table>`` of :func:`estimates_frame` in ``lang``."""
    head = "".join(
        f'<th scope="col"{" class=" + chr(34) + "num" + chr(34) if i > 1 else ""}>'
        f"{html.escape(column_label(c, {}, lang))}</th>"
        for i, c in enumerate(_ESTIMATE_COLUMNS)
    )
    body = []
    for _, r in frame.iterrows():
        numbers = [
            fm.fmt_number(r["estimate"], lang, decimals),
            fm.fmt_interval(r["ci_low"], r["ci_high"], lang, decimals),
            fm.fmt_pvalue(r["pvalue"], lang),
            fm.fmt_int(r["n"], lang),
        ]
        body.append(
            "<tr>"
            f'<th scope="row">{html.escape(_label_or_key(r["outcome"], lang))}</th>'
            f'<td class="txt">{html.escape(_label_or_key(r["model"], lang))}</td>'
            + "".join(f'<td class="num">{html.escape(x)}</td>' for x in numbers)
            + "</tr>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
