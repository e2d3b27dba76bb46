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
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Unpack

import pandas as pd
from matplotlib.figure import Figure

from arviointi.errors import InputError, ParamsError, Problem
from arviointi.report.disclosure import (
    DEFAULT_THRESHOLD,
    check_no_person_rows,
    suppress,
)
from arviointi.report.figure_data import figure_csvs
from arviointi.report.i18n import check_language, t
from arviointi.report.meta import SECTIONS
from arviointi.report.mime import RECORD_MIME, REPORT_MIME
from arviointi.report.style import figure_to_svg
from arviointi.report.table_html import (
    TableLayout,
    captioned_table,
    disclosure_note,
    estimates_frame,
    estimates_html,
)
from arviointi.report.verdict import VerdictStyle
from arviointi.report.verdict import verdict_text as write_verdict

#: stands in for the element-id prefix of a figure's SVG until its digest is known
_SVG_ID_PLACEHOLDER = "arvsvgidprefix"

#: the most rows a report table may have (more looks like person-level data)
MAX_TABLE_ROWS = 200

DisplayFn = Callable[..., Any]


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
        self, result: Any, lang: str, *, outcome_key: str, **style: Unpack[VerdictStyle]
    ) -> str:
        """The plain-language sentence(s) for one estimate (see :meth:`verdict`)."""
        return write_verdict(result, lang, outcome_key=outcome_key, **style)

    def verdict(
        self, result: Any, *, outcome_key: str, **style: Unpack[VerdictStyle]
    ) -> dict[str, Any]:
        """Plain-language verdict on an estimate: direction, size, interval and certainty.

        ``result`` is an :class:`~arviointi.results.EffectResults` or its ``to_record()``
        dict. The change is called a rise/fall only when the interval excludes zero.
        ``style``: ``unit_key`` (default ``"unit.pp"``), ``decimals`` (1), ``scale`` (1.0,
        multiplies estimate and interval) and ``true_effect`` (planted effect, or None).
        """
        html_by_lang = {
            lang: '<p class="arv-verdict">'
            + html.escape(write_verdict(result, lang, outcome_key=outcome_key, **style))
            + "</p>"
            for lang in self.languages
        }
        return self._emit("verdict", html_by_lang)

    # -- tables -------------------------------------------------------------------
    def _disclosure_mask(
        self,
        df: pd.DataFrame,
        level: str,
        counts: Sequence[str] | None,
        source: str,
        **rules: Any,
    ) -> tuple[pd.DataFrame, bool]:
        """(cells to hide, whether any is hidden) of a table at ``level``."""
        if level not in ("client", "area"):
            raise InputError(source, [Problem("level", f"expected client/area, got {level!r}")])
        if level == "area":
            return pd.DataFrame(False, index=df.index, columns=df.columns), False
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
        result = suppress(df, counts, threshold=self.threshold, source=source, **rules)
        return result.mask, result.any_hidden

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
        mask, hidden_any = self._disclosure_mask(
            df,
            level,
            counts,
            source,
            derived=derived,
            labels=labels,
            total_row=total_row,
            total_col=total_col,
            known_row_totals=known_row_totals,
            known_column_totals=known_column_totals,
            overall_row=overall_row,
            parts=parts,
        )
        layout = TableLayout.of(
            df,
            columns=columns,
            formats=formats,
            translate=translate,
            index_key=index_key,
            total_row=total_row,
            source=source,
        )
        values = dict(caption_values or {})
        out = {
            lang: captioned_table(
                layout.html(lang, mask),
                t(caption_key, lang, **values),
                lang,
                disclosure_note(lang, self.threshold) if hidden_any else "",
            )
            for lang in self.languages
        }
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
        frame = estimates_frame(results, outcome_keys)
        out = {
            lang: captioned_table(estimates_html(frame, lang, decimals), t(caption_key, lang), lang)
            for lang in self.languages
        }
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
        kwargs, dropped = self._figure_frames(caption_key, client_counts, kwargs)
        n = next(self._ids)
        out = {
            lang: self._figure_html(
                builder(**kwargs, lang=lang),
                lang,
                n,
                caption=t(caption_key, lang, **dict(caption_values or {})),
                alt=t(alt_key, lang, **dict(alt_values or {})),
                dropped=dropped,
                source=f"<figure {caption_key}>",
            )
            for lang in self.languages
        }
        return self._emit(
            "figure",
            out,
            caption_key=caption_key,
            alt_key=alt_key,
            suppressed_rows=dropped,
            data=figure_csvs(kwargs),  # the frames as drawn: small groups already left out
        )

    def _figure_frames(
        self, caption_key: str, client_counts: str | None, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], int]:
        """The builder's arguments with every frame checked and, with ``client_counts``,
        its rows of 1..threshold-1 persons left out; and how many rows were left out."""
        dropped = 0
        kwargs = dict(kwargs)
        for name, value in list(kwargs.items()):
            if not isinstance(value, pd.DataFrame):
                continue
            where = f"<figure {caption_key}: {name}>"
            check_no_person_rows(value, source=where)
            if client_counts is None:
                continue
            if client_counts not in value.columns:
                raise InputError(
                    where, [Problem(f"column {client_counts!r}", "count column not in the frame")]
                )
            persons = pd.to_numeric(value[client_counts], errors="coerce")
            small = (persons > 0) & (persons < self.threshold)
            if persons.isna().any():
                raise InputError(
                    where, [Problem(f"column {client_counts!r}", "expected whole counts >= 0")]
                )
            dropped += int(small.sum())
            kwargs[name] = value.loc[~small]
        return kwargs, dropped

    def _figure_html(
        self,
        fig: Any,
        lang: str,
        n: int,
        *,
        caption: str,
        alt: str,
        dropped: int,
        source: str,
    ) -> str:
        """Figure ``n`` of the notebook as inline SVG in its captioned frame (then closed)."""
        if not isinstance(fig, Figure):
            raise InputError(
                source, [Problem("builder", f"expected a matplotlib Figure, got {type(fig)}")]
            )
        # element ids must be unique in the report (figures of all notebooks share one
        # page) and the same on every run (determinism): prefix them with a digest of
        # the figure itself instead of a random token
        svg = figure_to_svg(fig, id_prefix=_SVG_ID_PLACEHOLDER)
        digest = hashlib.sha256(f"{self.current_section}|{n}|{svg}".encode()).hexdigest()
        svg = svg.replace(f"{_SVG_ID_PLACEHOLDER}-", f"f{digest[:10]}{lang}-")
        svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
        fig.clear()
        note = ""
        if dropped:
            text = t("disclosure.figure_note", lang, count=dropped, threshold=self.threshold)
            note = f'<p class="arv-table-note">{html.escape(text)}</p>'
        return (
            '<figure class="arv-figure" role="group">'
            f'<div class="arv-graphic" role="img" aria-label="{html.escape(alt, quote=True)}">'
            f"{svg}</div>"
            f'<figcaption><span class="arv-num" data-kind="figure">'
            f"{html.escape(t('report.figure_fallback', lang))}</span> {html.escape(caption)}"
            f"</figcaption>{note}</figure>"
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
