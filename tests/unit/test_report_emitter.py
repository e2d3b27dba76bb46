"""The Emitter: bundle contract, escaping, disclosure control, verdicts, records."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import numpy as np
import pandas as pd
import pytest

from arviointi.errors import InputError, ParamsError
from arviointi.report import figures
from arviointi.report.emitter import Emitter
from arviointi.report.mime import RECORD_MIME, REPORT_MIME
from arviointi.results.base import EffectResults, InferenceInfo

HOSTILE = 'Varissuo"><script>alert(1)</script>\n<img src=x onerror=alert(2)> {x} $y$ &amp;'


class Collector:
    def __init__(self) -> None:
        self.bundles: list[dict[str, Any]] = []

    def __call__(self, obj: dict[str, Any], raw: bool = False) -> None:
        assert raw is True
        self.bundles.append(obj)

    @property
    def reports(self) -> list[dict[str, Any]]:
        return [b[REPORT_MIME] for b in self.bundles if REPORT_MIME in b]


class Elements(HTMLParser):
    """Tags and attributes actually present in a fragment (text is not markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(fragment: str) -> Elements:
    p = Elements()
    p.feed(fragment)
    return p


def emitter(threshold: int = 5) -> tuple[Emitter, Collector]:
    col = Collector()
    return Emitter({"disclosure": {"threshold": threshold}}, display=col), col


def result(estimate: float, se: float, pvalue: float | None) -> EffectResults:
    return EffectResults(
        estimate=estimate,
        se=se,
        pvalue=pvalue,
        n_obs=480,
        n_treated=1,
        n_control=20,
        outcome="unemployment_rate",
        model="did",
        inference=InferenceInfo(method="cluster", reason="test", df=None),
    )


def test_bundle_contract() -> None:
    em, col = emitter()
    em.section("employment")
    em.heading("outcome.unemployment_rate")
    b = col.bundles[0]
    payload = b[REPORT_MIME]
    assert payload["kind"] == "heading" and payload["section"] == "employment"
    assert set(payload["html"]) == {"fi", "en"}
    assert payload["text"] == {"fi": "Työttömyysaste", "en": "Unemployment rate"}
    assert b["text/html"] == payload["html"]["fi"]
    assert b["text/plain"].startswith("[heading]")
    with pytest.raises(InputError, match="unknown section"):
        em.section("appendixx")


def test_hostile_strings_are_escaped_everywhere() -> None:
    em, col = emitter()
    em.paragraph("summary.cost_total", amount=HOSTILE)
    frame = pd.DataFrame({"area": [HOSTILE, "Lauste"], "unemployed": [1040, 812]}).set_index("area")
    em.table(frame, "caption.estimates", level="area")
    em.figure(
        figures.cost_figure,
        "caption.gap",
        "alt.gap",
        caption_values={"outcome": HOSTILE},
        frame=pd.DataFrame({"category": [HOSTILE], "budget": [1.0], "actual": [2.0]}),
    )
    for payload in col.reports:
        for fragment in payload["html"].values():
            elements = parse(fragment)
            names = {tag for tag, _ in elements.tags}
            assert not names & {"script", "img", "iframe", "style"}
            for _tag, attrs in elements.tags:
                assert not any(a.startswith("on") for a in attrs)
            # the data text survives as text, exactly once unescaped in the parsed text
            assert any("<script>alert(1)</script>" in t for t in elements.text)
    # in the SVG the label is text, escaped by matplotlib; "$y$" stays literal (no math)
    svg = col.reports[-1]["html"]["fi"]
    assert "&lt;script&gt;" in svg and "$y$" in svg


def test_client_table_is_suppressed_with_the_params_threshold() -> None:
    tab = pd.DataFrame(
        {"count": [40, 6, 1], "mean": [31.25, 29.0, 55.5]},
        index=pd.Index(["fi", "sv", "other"], name="group"),
    )
    for threshold, hidden in ((5, {"other"}), (7, {"sv", "other"})):
        em, col = emitter(threshold)
        em.table(tab, "caption.wellbeing", counts=["count"])
        fragment = col.reports[0]["html"]["fi"]
        rows = dict(re.findall(r'<th scope="row">(\w+)</th>(.*?)</tr>', fragment))
        for group, cells in rows.items():
            assert ('class="num suppressed"' in cells) == (group in hidden), (threshold, group)
        assert "55,5" not in fragment and "55.5" not in fragment
        assert "31,2" in fragment  # Finnish decimal comma, one decimal
        assert f"alle {threshold}" in fragment.lower() or f"alle {threshold}" in fragment
        assert col.reports[0]["suppressed"] is True


def test_client_table_without_counts_and_person_rows_are_refused() -> None:
    em, _ = emitter()
    with pytest.raises(InputError, match="count columns"):
        em.table(pd.DataFrame({"n": [10]}, index=["a"]), "caption.estimates")
    people = pd.DataFrame({"person_id": ["p1", "p2"], "age": [30, 40]})
    with pytest.raises(InputError, match="person identifier"):
        em.table(people, "caption.estimates", level="area")
    with pytest.raises(InputError, match="person identifier"):
        em.figure(
            figures.wellbeing_figure,
            "caption.wellbeing",
            "alt.wellbeing",
            frame=people.assign(measure="x", before=1.0, after=2.0),
        )
    with pytest.raises(InputError, match="at most 200"):
        em.table(
            pd.DataFrame({"count": np.arange(201) + 10}), "caption.estimates", counts=["count"]
        )


def test_unlabelled_column_is_refused() -> None:
    em, _ = emitter()
    with pytest.raises(InputError, match="column 'mystery'"):
        em.table(pd.DataFrame({"mystery": [1.0]}), "caption.estimates", level="area")


@pytest.mark.parametrize("bad", [0, -3, 2.5, "5", True])
def test_bad_threshold_is_a_params_error(bad: object) -> None:
    with pytest.raises(ParamsError, match=r"disclosure\.threshold"):
        Emitter({"disclosure": {"threshold": bad}}, display=Collector())


def test_verdicts_follow_the_interval() -> None:
    em, _ = emitter()
    # se 0.4, normal reference: 95 % interval -1.234 +- 1.95996 * 0.4 = [-2.018, -0.450]
    fell = em.verdict_text(
        result(-1.234, 0.4, 0.002),
        "fi",
        outcome_key="outcome.unemployment_rate",
        unit_key="unit.pp",
    )
    assert fell.startswith("Työttömyysaste laski arviolta 1,2 prosenttiyksikköä")
    assert "(95 %:n luottamusväli [\u22122,0; \u22120,5])" in fell
    assert "tilastollisesti selvä (p\u00a0=\u00a00,002)" in fell
    unclear = em.verdict_text(
        result(-0.3, 0.4, 0.45), "en", outcome_key="outcome.unemployment_rate", unit_key="unit.pp"
    )
    assert unclear.startswith("Unemployment rate: no clear change was found.")
    assert "[-1.1, 0.5]" in unclear and "may be due to chance" in unclear
    rose = em.verdict_text(
        {"estimate": 2.0, "ci_low": 0.5, "ci_high": 3.5, "alpha": 0.1, "pvalue": None},
        "en",
        outcome_key="outcome.unemployed",
        unit_key="unit.persons",
        decimals=0,
        true_effect=1.5,
    )
    assert rose.startswith("Number of unemployed rose by an estimated 2 persons (90%")
    assert rose.endswith("The true effect built into the synthetic data was 2 persons.")


def test_record_bundle_is_the_results_record() -> None:
    em, col = emitter()
    em.section("employment")
    res = result(-1.234, 0.4, 0.002)
    em.record(res, true_effect=-1.0)
    bundle = col.bundles[0]
    assert REPORT_MIME not in bundle
    assert bundle[RECORD_MIME]["record"] == res.to_record(section="employment", true_effect=-1.0)


def test_figure_bundle_has_svg_text_alt_and_number_placeholder() -> None:
    em, col = emitter()
    es = pd.DataFrame(
        {
            "rel_time": [-2, -1, 0, 1],
            "estimate": [0.1, 0.0, -0.5, -1.0],
            "ci_low": [-0.4, -0.5, -1.0, -1.6],
            "ci_high": [0.6, 0.5, 0.0, -0.4],
        }
    )
    em.figure(
        figures.event_study_figure,
        "caption.event_study",
        "alt.event_study",
        caption_values={"outcome": "Työttömyysaste"},
        frame=es,
    )
    fi = col.reports[0]["html"]["fi"]
    en = col.reports[0]["html"]["en"]
    assert '<span class="arv-num" data-kind="figure">' in fi
    assert 'role="img" aria-label="Viivakuvio.' in fi and 'aria-label="Line chart.' in en
    assert "<text" in fi and "Kuukausia pilotin alusta" in fi  # axis text kept as text
    assert "Months from the start of the pilot" in en
    assert "\u22121,0" in fi  # Finnish tick labels with decimal comma and minus sign
    assert "http://" not in re.sub(r'xmlns(:\w+)?="[^"]*"', "", fi)


def test_client_level_figure_leaves_out_small_groups() -> None:
    em, col = emitter(threshold=5)
    wb = pd.DataFrame(
        {
            "measure": ["fi", "sv", "SINGLE-PERSON-GROUP"],
            "before": [5.1, 5.8, 9.9],
            "after": [6.0, 6.1, 1.1],
            "n": [40, 12, 1],
        }
    )
    em.figure(
        figures.wellbeing_figure, "caption.wellbeing", "alt.wellbeing", frame=wb, client_counts="n"
    )
    payload = col.reports[0]
    assert payload["suppressed_rows"] == 1
    assert "SINGLE-PERSON-GROUP" not in payload["html"]["fi"]
    assert "Kuviosta on jätetty pois 1 ryhmää" in payload["html"]["fi"]
    assert "1 group(s) with fewer than 5 people" in payload["html"]["en"]
    # without the count column the figure cannot be made client-safe
    with pytest.raises(InputError, match="column 'persons'"):
        em.figure(
            figures.wellbeing_figure,
            "caption.wellbeing",
            "alt.wellbeing",
            frame=wb,
            client_counts="persons",
        )


def test_record_takes_extra_fields_but_not_overrides() -> None:
    em, col = emitter()
    em.section("employment")
    res = result(-1.0, 0.5, 0.05)
    em.record(res, role="primary", level="client", label={"fi": "a", "en": "b"})
    rec = col.bundles[0][RECORD_MIME]["record"]
    assert rec["role"] == "primary" and rec["label"] == {"fi": "a", "en": "b"}
    assert rec["estimate"] == -1.0
    with pytest.raises(InputError, match="field 'estimate'"):
        em.record(res, estimate=0.0)
    with pytest.raises(InputError, match="plain JSON"):
        em.record(res, when=object())
