"""The only way a notebook puts content into a report.

Every method displays one bundle with the MIME type :data:`REPORT_MIME` holding the
content in every report language (already HTML-escaped and disclosure-controlled), plus
``text/html`` in the first language for JupyterLab and a short ``text/plain``. Figure and
table numbers are filled in by the renderer, so numbering stays right across notebooks.

    em = Emitter(params)                      # threshold from params["disclosure"]["threshold"]
    em.section("employment")
    em.heading("section.employment")          # level-2 heading from the catalogue
    em.figure(event_study_figure, "caption.event_study", "alt.event_study",
              frame=es_frame, caption_values={"outcome": "..."})
    em.table(tab, "caption.estimates", level="client", counts=["n"])
    em.verdict(result, outcome_key="outcome.unemployment_rate", unit_key="unit.pp")
    em.record(result, true_effect=-1.0)
"""

from __future__ import annotations

import hashlib
import html
import itertools
import math
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from arviointi.errors import InputError, ParamsError, Problem
from arviointi.report import formatting as fm
from arviointi.report.disclosure import (
    DEFAULT_MARKER,
    DEFAULT_THRESHOLD,
    check_no_person_rows,
    suppress,
)
from arviointi.report.figure_data import figure_csvs
from arviointi.report.i18n import check_language, has_message, t
from arviointi.report.meta import SECTIONS
from arviointi.report.mime import RECORD_MIME, REPORT_MIME
from arviointi.report.style import figure_to_svg
from arviointi.report.table_markup import scroll_wrap

#: stands in for the element-id prefix of a figure's SVG until its digest is known
_SVG_ID_PLACEHOLDER = "arvsvgidprefix"

#: the most rows a report table may have (more looks like person-level data)
MAX_TABLE_ROWS = 200

DisplayFn = Callable[..., Any]
Formatter = Callable[[Any, str], str]

_FORMATS: dict[str, Callable[[Any, str, int | None], str]] = {
    "int": lambda x, lang, _d: fm.fmt_int(x, lang),
    "number": lambda x, lang, d: fm.fmt_number(x, lang, 1 if d is None else d),
    "percent": lambda x, lang, d: fm.fmt_percent(x, lang, 1 if d is None else d),
    "pp": lambda x, lang, d: fm.fmt_pp(x, lang, 1 if d is None else d),
    "euro": lambda x, lang, d: fm.fmt_euro(x, lang, 0 if d is None else d),
    "pvalue": lambda x, lang, _d: fm.fmt_pvalue(x, lang),
    "signed": lambda x, lang, d: fm.fmt_signed(x, lang, 1 if d is None else d),
    "text": lambda x, _lang, _d: fm.MISSING if x is None or x is pd.NA else str(x),
    # a cell that is already written in every language: {"fi": ..., "en": ...}
    "local": lambda x, lang, _d: _local_text(x, lang),
}


def _local_text(value: Any, lang: str) -> str:
    """The ``lang`` text of a per-language cell ({"fi": ..., "en": ...}); Finnish if absent."""
    if value is None or value is pd.NA:
        return fm.MISSING
    if isinstance(value, Mapping):
        text = value.get(lang) or value.get("fi")
        return fm.MISSING if text is None else str(text)
    return str(value)


def _ipython_display(*objs: Any, **kwargs: Any) -> None:
    from IPython.display import display

    display(*objs, **kwargs)


def _threshold_from(params: Mapping[str, Any]) -> int:
    disclosure = params.get("disclosure")
    value: Any = DEFAULT_THRESHOLD
    key = "disclosure.threshold"
    if isinstance(disclosure, Mapping) and "threshold" in disclosure:
        value = disclosure["threshold"]
    elif "disclosure_threshold" in params:
        value, key = params["disclosure_threshold"], "disclosure_threshold"
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParamsError(
            "<params>", [Problem(key, f"expected a whole number >= 1, got {value!r}")]
        )
    return value


def _strip_tags(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text)).split("\n")[0].strip()[:200]


class Emitter:
    """Emit report content from a notebook (see the module docstring).

    params : the validated params as a plain dict (the disclosure threshold is read from
        ``params["disclosure"]["threshold"]``, default 5)
    languages : report languages; the first one is shown in JupyterLab
    display : the display function (IPython's by default; tests pass a collector)
    """

    def __init__(
        self,
        params: Mapping[str, Any],
        *,
        languages: Sequence[str] = ("fi", "en"),
        display: DisplayFn | None = None,
    ) -> None:
        if not languages:
            raise ParamsError("<params>", [Problem("languages", "at least one language")])
        for lang in languages:
            check_language(lang)
        self.params = params
        self.languages = tuple(languages)
        self.threshold = _threshold_from(params)
        self.current_section = "summary"
        self._display: DisplayFn = display or _ipython_display
        self._ids = itertools.count(1)

    def per_language(self, fn: Callable[[str], str]) -> dict[str, str]:
        """``{lang: fn(lang)}`` for the report's languages: a placeholder value written
        differently in each language (numbers, euros, intervals formatted for it)."""
        return {lang: fn(lang) for lang in self.languages}

    # -- plumbing -----------------------------------------------------------------
    def _emit(self, kind: str, html_by_lang: dict[str, str], **extra: Any) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "kind": kind,
            "section": self.current_section,
            "html": html_by_lang,
            **extra,
        }
        first = html_by_lang[self.languages[0]]
        bundle = {
            REPORT_MIME: payload,
            "text/html": first,
            "text/plain": f"[{kind}] {_strip_tags(first)}",
        }
        self._display(bundle, raw=True)
        return payload

    def _text(self, key: str, lang: str, values: Mapping[str, Any]) -> str:
        return t(key, lang, **values)

    def section(self, name: str) -> None:
        """Put the following content into report section ``name`` (see ``meta.SECTIONS``)."""
        if name not in SECTIONS:
            raise InputError(
                "<notebook>",
                [Problem("Emitter.section", f"unknown section {name!r}; expected {SECTIONS}")],
            )
        self.current_section = name

    # -- text ---------------------------------------------------------------------
    def heading(self, key: str, level: int = 2, **values: Any) -> dict[str, Any]:
        """A heading (level 2-4; level 1 is the section title the renderer writes)."""
        if level not in (2, 3, 4):
            raise InputError(
                "<notebook>", [Problem("Emitter.heading", f"level must be 2-4, got {level}")]
            )
        text = {lang: self._text(key, lang, values) for lang in self.languages}
        return self._emit(
            "heading",
            {lang: f"<h{level}>{html.escape(s)}</h{level}>" for lang, s in text.items()},
            level=level,
            text=text,
        )

    def paragraph(self, key: str, **values: Any) -> dict[str, Any]:
        """A paragraph from the catalogue; data values are escaped."""
        return self._emit(
            "paragraph",
            {
                lang: f"<p>{html.escape(self._text(key, lang, values))}</p>"
                for lang in self.languages
            },
        )

    def paragraphs(self, keys: Sequence[str], **values: Any) -> dict[str, Any]:
        """Several catalogue messages as one paragraph (sentences joined by spaces)."""
        return self._emit(
            "paragraph",
            {
                lang: "<p>"
                + " ".join(html.escape(self._text(k, lang, values)) for k in keys)
                + "</p>"
                for lang in self.languages
            },
        )

    def note(self, key: str, **values: Any) -> dict[str, Any]:
        """A side note (smaller type, boxed)."""
        return self._emit(
            "note",
            {
                lang: f'<aside class="arv-note"><p>{html.escape(self._text(key, lang, values))}'
                "</p></aside>"
                for lang in self.languages
            },
        )

    def headline(self, key: str, **values: Any) -> dict[str, Any]:
        """A key finding, highlighted (used in the summary)."""
        return self._emit(
            "headline",
            {
                lang: f'<p class="arv-headline">{html.escape(self._text(key, lang, values))}</p>'
                for lang in self.languages
            },
        )

    def verdict_text(
        self,
        result: Any,
        lang: str,
        *,
        outcome_key: str,
        unit_key: str = "unit.pp",
        decimals: int = 1,
        scale: float = 1.0,
        true_effect: float | None = None,
    ) -> str:
        """The plain-language sentence(s) for one estimate (see :meth:`verdict`)."""
        record = result if isinstance(result, Mapping) else result.to_record(section="")
        estimate = record.get("estimate")
        if estimate is None or not math.isfinite(float(estimate)):
            raise InputError(
                "<result>", [Problem("estimate", f"expected a finite number, got {estimate!r}")]
            )
        est = float(estimate) * scale
        low = record.get("ci_low")
        high = record.get("ci_high")
        lo = None if low is None else float(low) * scale
        hi = None if high is None else float(high) * scale
        alpha = float(record.get("alpha", 0.05))
        has_ci = lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi)
        if has_ci and lo is not None and hi is not None and (lo > 0 or hi < 0):
            key = "verdict.increase" if est > 0 else "verdict.decrease"
            amount = fm.fmt_number(abs(est), lang, decimals)
        elif not has_ci:
            # no valid interval: the estimate only, and no verdict ("no clear change" would
            # be a conclusion the design cannot support)
            key = "verdict.estimate_only"
            amount = fm.fmt_number(est, lang, decimals)
        else:
            key = "verdict.no_change"
            amount = fm.fmt_number(est, lang, decimals)
        sentences = [
            t(
                key,
                lang,
                outcome=t(outcome_key, lang),
                amount=amount,
                unit=t(unit_key, lang),
                level=fm.fmt_number(100 * (1 - alpha), lang, 0),
                interval=fm.fmt_interval(lo, hi, lang, decimals),
            )
        ]
        pvalue = record.get("pvalue")
        if pvalue is not None:
            strong = float(pvalue) < alpha
            sentences.append(
                t(
                    "verdict.certainty_strong" if strong else "verdict.certainty_weak",
                    lang,
                    pvalue=fm.fmt_pvalue(pvalue, lang),
                )
            )
        elif not has_ci:
            sentences.append(t("verdict.certainty_none", lang))
        if true_effect is not None:
            sentences.append(
                t(
                    "verdict.true_effect",
                    lang,
                    amount=fm.fmt_number(true_effect * scale, lang, decimals),
                    unit=t(unit_key, lang),
                )
            )
        return " ".join(sentences)

    def verdict(
        self,
        result: Any,
        *,
        outcome_key: str,
        unit_key: str = "unit.pp",
        decimals: int = 1,
        scale: float = 1.0,
        true_effect: float | None = None,
    ) -> dict[str, Any]:
        """Plain-language verdict on an estimate: direction, size, interval and certainty.

        ``result`` is an :class:`~arviointi.results.EffectResults` or its ``to_record()``
        dict. The change is called a rise/fall only when the interval excludes zero.
        """
        return self._emit(
            "verdict",
            {
                lang: '<p class="arv-verdict">'
                + html.escape(
                    self.verdict_text(
                        result,
                        lang,
                        outcome_key=outcome_key,
                        unit_key=unit_key,
                        decimals=decimals,
                        scale=scale,
                        true_effect=true_effect,
                    )
                )
                + "</p>"
                for lang in self.languages
            },
        )

    # -- tables -------------------------------------------------------------------
    def _column_label(
        self, col: Any, columns: Mapping[Any, str], lang: str, source: str = "<table>"
    ) -> str:
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

    def _formatter(self, col: Any, series: pd.Series, spec: str | None) -> Formatter:
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
        if name not in _FORMATS or (digits and not digits.isdigit()):
            raise InputError(
                "<table>",
                [
                    Problem(
                        f"formats[{col!r}]", f"unknown format {spec!r}; expected {list(_FORMATS)}"
                    )
                ],
            )
        fn = _FORMATS[name]
        decimals = int(digits) if digits else None
        return lambda x, lang: fn(x, lang, decimals)

    def table(
        self,
        df: pd.DataFrame,
        caption_key: str,
        *,
        caption_values: Mapping[str, Any] | None = None,
        level: str = "client",
        counts: Sequence[str] | None = None,
        derived: Mapping[str, str] | None = None,
        labels: Sequence[str] = (),
        total_row: Hashable | None = None,
        total_col: str | None = None,
        known_row_totals: bool = False,
        known_column_totals: bool = False,
        overall_row: Hashable | None = None,
        parts: Mapping[str, str] | None = None,
        columns: Mapping[Any, str] | None = None,
        formats: Mapping[Any, str] | None = None,
        translate: Mapping[Any, str] | None = None,
        index_key: str | None = None,
    ) -> dict[str, Any]:
        """A numbered, captioned table.

        level : ``"client"`` (built from person-level data: ``counts`` are required and
            the table is suppressed with the params threshold) or ``"area"`` (public
            aggregate statistics: no suppression)
        counts, derived, labels, total_row, total_col, known_*, overall_row, parts : see
            :func:`arviointi.report.disclosure.suppress`
        columns : ``{column: catalogue key}`` for headers (default ``column.<name>``)
        formats : ``{column: "int" | "number[:d]" | "percent[:d]" | "pp[:d]" | "euro[:d]"
            | "pvalue" | "signed[:d]" | "text" | "local"}`` (default by dtype; ``"local"``
            cells are mappings ``{"fi": ..., "en": ...}`` already written in each language)
        translate : ``{column: catalogue prefix}``: cell ``v`` shows ``t(prefix + "." + v)``
        index_key : catalogue key of the row-header column; a default RangeIndex is hidden
        """
        source = f"<table {caption_key}>"
        if not isinstance(df, pd.DataFrame):
            raise InputError(source, [Problem("df", f"expected a DataFrame, got {type(df)}")])
        check_no_person_rows(df, source=source, max_rows=MAX_TABLE_ROWS)
        if level not in ("client", "area"):
            raise InputError(source, [Problem("level", f"expected client/area, got {level!r}")])
        mask = pd.DataFrame(False, index=df.index, columns=df.columns)
        hidden_any = False
        if level == "client":
            if not counts:
                raise InputError(
                    source,
                    [
                        Problem(
                            "counts",
                            "a client-level table needs its count columns for disclosure control",
                        )
                    ],
                )
            result = suppress(
                df,
                counts,
                threshold=self.threshold,
                derived=derived,
                labels=labels,
                total_row=total_row,
                total_col=total_col,
                known_row_totals=known_row_totals,
                known_column_totals=known_column_totals,
                overall_row=overall_row,
                parts=parts,
                source=source,
            )
            mask = result.mask
            hidden_any = result.any_hidden
        columns = dict(columns or {})
        formats = dict(formats or {})
        translate = dict(translate or {})
        show_index = not (
            isinstance(df.index, pd.RangeIndex) and df.index.name is None and index_key is None
        )
        formatters = {c: self._formatter(c, df[c], formats.get(c)) for c in df.columns}
        caption_values = dict(caption_values or {})
        out: dict[str, str] = {}
        for lang in self.languages:
            head = []
            if show_index:
                label = (
                    t(index_key, lang)
                    if index_key
                    else self._column_label(df.index.name, columns, lang, source)
                    if df.index.name is not None
                    else ""
                )
                head.append(f'<th scope="col">{html.escape(label)}</th>')
            for c in df.columns:
                num = formats.get(c, "text") not in (
                    "text",
                    "local",
                ) or pd.api.types.is_numeric_dtype(df[c])
                cls = ' class="num"' if num and c not in translate else ""
                label = self._column_label(c, columns, lang, source)
                head.append(f'<th scope="col"{cls}>{html.escape(label)}</th>')
            rows = []
            for pos, (idx, row) in enumerate(df.iterrows()):
                cells = []
                if show_index:
                    shown = (
                        t("column.total", lang)
                        if total_row is not None and idx == total_row
                        else str(idx)
                    )
                    cells.append(f'<th scope="row">{html.escape(shown)}</th>')
                for c in df.columns:
                    value = row[c]
                    if bool(mask.iloc[pos][c]):
                        text, cls = DEFAULT_MARKER, "num suppressed"
                    elif c in translate:
                        text, cls = t(f"{translate[c]}.{value}", lang), "txt"
                    else:
                        text = formatters[c](value, lang)
                        numeric = pd.api.types.is_numeric_dtype(df[c])
                        cls = "num" if numeric else "txt"
                    cells.append(f'<td class="{cls}">{html.escape(text)}</td>')
                row_cls = ' class="total"' if total_row is not None and idx == total_row else ""
                rows.append(f"<tr{row_cls}>{''.join(cells)}</tr>")
            caption = html.escape(t(caption_key, lang, **caption_values))
            note = ""
            if hidden_any:
                note = (
                    '<p class="arv-table-note">'
                    + html.escape(
                        t(
                            "disclosure.note",
                            lang,
                            marker=DEFAULT_MARKER,
                            threshold=self.threshold,
                        )
                    )
                    + "</p>"
                )
            table = (
                f"<table><thead><tr>{''.join(head)}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
            out[lang] = (
                '<figure class="arv-table" role="group">'
                f'<figcaption><span class="arv-num" data-kind="table">'
                f"{html.escape(t('report.table_fallback', lang))}</span> {caption}</figcaption>"
                f"{scroll_wrap(table, t(caption_key, lang, **caption_values))}{note}</figure>"
            )
        return self._emit("table", out, caption_key=caption_key, suppressed=hidden_any)

    def estimates_table(
        self,
        results: Sequence[Any],
        *,
        outcome_keys: Sequence[str],
        caption_key: str = "caption.estimates",
        decimals: int = 2,
    ) -> dict[str, Any]:
        """A table of effect estimates (one row per result) with translated labels."""
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
        frame["ci_low"] = frame["ci_low"].astype(float)
        frame["ci_high"] = frame["ci_high"].astype(float)
        frame["estimate"] = frame["estimate"].astype(float)
        frame["pvalue"] = frame["pvalue"].astype(float)
        out: dict[str, str] = {}
        for lang in self.languages:
            head = "".join(
                f'<th scope="col"{" class=" + chr(34) + "num" + chr(34) if i > 1 else ""}>'
                f"{html.escape(self._column_label(c, {}, lang))}</th>"
                for i, c in enumerate(["outcome", "model", "estimate", "ci", "pvalue", "n"])
            )
            body = []
            for _, r in frame.iterrows():
                label = r["outcome"]
                outcome = t(label, lang) if has_message(label, lang) else str(label)
                model = t(r["model"], lang) if has_message(r["model"], lang) else str(r["model"])
                numbers = [
                    fm.fmt_number(r["estimate"], lang, decimals),
                    fm.fmt_interval(r["ci_low"], r["ci_high"], lang, decimals),
                    fm.fmt_pvalue(r["pvalue"], lang),
                    fm.fmt_int(r["n"], lang),
                ]
                body.append(
                    "<tr>"
                    f'<th scope="row">{html.escape(outcome)}</th>'
                    f'<td class="txt">{html.escape(model)}</td>'
                    + "".join(f'<td class="num">{html.escape(x)}</td>' for x in numbers)
                    + "</tr>"
                )
            out[lang] = (
                '<figure class="arv-table" role="group">'
                f'<figcaption><span class="arv-num" data-kind="table">'
                f"{html.escape(t('report.table_fallback', lang))}</span> "
                f"{html.escape(t(caption_key, lang))}</figcaption>"
                + scroll_wrap(
                    f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>",
                    t(caption_key, lang),
                )
                + "</figure>"
            )
        return self._emit("table", out, caption_key=caption_key, suppressed=False)

    # -- figures ------------------------------------------------------------------
    def figure(
        self,
        builder: Callable[..., Figure],
        caption_key: str,
        alt_key: str,
        *,
        caption_values: Mapping[str, Any] | None = None,
        alt_values: Mapping[str, Any] | None = None,
        client_counts: str | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """A numbered figure: ``builder(**kwargs, lang=lang)`` once per language.

        Every DataFrame among ``kwargs`` is checked with ``check_no_person_rows``. For a
        figure drawn from client-level data pass ``client_counts``: the name of the column
        holding the number of persons behind each row; rows with 1..threshold-1 persons are
        left out of the figure and a note under the caption says so. The figure is embedded
        as inline SVG (text stays text) and closed.
        """
        dropped = 0
        for name, value in list(kwargs.items()):
            if not isinstance(value, pd.DataFrame):
                continue
            check_no_person_rows(value, source=f"<figure {caption_key}: {name}>")
            if client_counts is not None:
                if client_counts not in value.columns:
                    raise InputError(
                        f"<figure {caption_key}: {name}>",
                        [Problem(f"column {client_counts!r}", "count column not in the frame")],
                    )
                persons = pd.to_numeric(value[client_counts], errors="coerce")
                small = (persons > 0) & (persons < self.threshold)
                if persons.isna().any():
                    raise InputError(
                        f"<figure {caption_key}: {name}>",
                        [Problem(f"column {client_counts!r}", "expected whole counts >= 0")],
                    )
                dropped += int(small.sum())
                kwargs[name] = value.loc[~small]
        out: dict[str, str] = {}
        n = next(self._ids)
        for lang in self.languages:
            fig = builder(**kwargs, lang=lang)
            if not isinstance(fig, Figure):
                raise InputError(
                    f"<figure {caption_key}>",
                    [Problem("builder", f"expected a matplotlib Figure, got {type(fig)}")],
                )
            # element ids must be unique in the report (figures of all notebooks share one
            # page) and the same on every run (determinism): prefix them with a digest of
            # the figure itself instead of a random token
            svg = figure_to_svg(fig, id_prefix=_SVG_ID_PLACEHOLDER)
            digest = hashlib.sha256(f"{self.current_section}|{n}|{svg}".encode()).hexdigest()
            svg = svg.replace(f"{_SVG_ID_PLACEHOLDER}-", f"f{digest[:10]}{lang}-")
            svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
            fig.clear()
            alt = html.escape(t(alt_key, lang, **dict(alt_values or {})), quote=True)
            caption = html.escape(t(caption_key, lang, **dict(caption_values or {})))
            note = ""
            if dropped:
                text = t("disclosure.figure_note", lang, count=dropped, threshold=self.threshold)
                note = f'<p class="arv-table-note">{html.escape(text)}</p>'
            out[lang] = (
                '<figure class="arv-figure" role="group">'
                f'<div class="arv-graphic" role="img" aria-label="{alt}">{svg}</div>'
                f'<figcaption><span class="arv-num" data-kind="figure">'
                f"{html.escape(t('report.figure_fallback', lang))}</span> {caption}</figcaption>"
                f"{note}</figure>"
            )
        return self._emit(
            "figure",
            out,
            caption_key=caption_key,
            alt_key=alt_key,
            suppressed_rows=dropped,
            data=figure_csvs(kwargs),  # the frames as drawn: small groups already left out
        )

    # -- records ------------------------------------------------------------------
    def record(
        self,
        result: Any,
        section: str | None = None,
        true_effect: float | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        """Emit one results.json record (:data:`RECORD_MIME`); nothing shows in the report.

        ``extra`` adds fields declared in the record contract
        (:class:`arviointi.results.record.ResultRecord`), e.g. ``role="primary"`` (a headline
        estimate), ``"robustness"``, ``"subgroup"`` or ``"diagnostic"``, and ``level``.
        """
        from arviointi.results.record import build_record

        rec = build_record(
            result, section=section or self.current_section, true_effect=true_effect, extra=extra
        )
        bundle = {
            RECORD_MIME: {"record": rec},
            "text/plain": f"[record] {rec.get('section')}: {rec.get('outcome')}",
        }
        self._display(bundle, raw=True)
        return dict(rec)
