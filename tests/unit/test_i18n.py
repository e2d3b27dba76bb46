"""The translation catalogue: same keys and placeholders in fi and en, lookups, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from arviointi.errors import InputError
from arviointi.report.figures import STATUSES
from arviointi.report.i18n import LANGUAGES, Msg, catalogue, placeholders, t
from arviointi.report.meta import SECTIONS


def test_languages_have_the_same_keys() -> None:
    fi, en = catalogue("fi"), catalogue("en")
    assert set(fi) - set(en) == set(), "keys missing from en.yaml"
    assert set(en) - set(fi) == set(), "keys missing from fi.yaml"


@pytest.mark.parametrize("key", sorted(catalogue("fi")))
def test_placeholders_match(key: str) -> None:
    assert placeholders(catalogue("fi")[key]) == placeholders(catalogue("en")[key])


def test_messages_are_plain_text_and_nonempty() -> None:
    for lang in LANGUAGES:
        for key, text in catalogue(lang).items():
            assert text.strip(), f"{lang}:{key} is empty"
            # "p < 0,05" is fine (the emitter escapes it); tags are not
            assert not re.search(r"<\s*/?\s*[A-Za-z!]", text), f"{lang}:{key} holds markup"


def test_every_section_status_and_caption_kind_has_a_message() -> None:
    for lang in LANGUAGES:
        for name in SECTIONS:
            assert f"section.{name}" in catalogue(lang)
        for status in STATUSES:
            assert f"status.{status}" in catalogue(lang)


def test_lookup_and_number_formatting_of_values() -> None:
    assert t("section.summary", "fi") == "Tiivistelmä"
    assert t("section.summary", "en") == "Summary"
    assert t("caption.figure", "fi", n=3) == "Kuvio 3."
    assert t("caption.table", "en", n=12) == "Table 12."
    # numbers are formatted in the message language (decimal comma, grouped thousands)
    assert t("limitations.disclosure", "fi", threshold=5).startswith("Alle 5 henkilön")
    assert (
        t("summary.cost_total", "fi", amount=1735000.25)
        == "Pilotti maksoi yhteensä 1\u00a0735\u00a0000,2."
    )
    assert t("summary.cost_total", "en", amount=1735000) == "The pilot cost 1,735,000 in total."


def test_unknown_key_names_file_and_key() -> None:
    with pytest.raises(InputError) as err:
        t("section.nonexistent", "fi")
    assert "fi.yaml" in str(err.value) and "section.nonexistent" in str(err.value)


def test_missing_placeholder_value_is_an_error() -> None:
    with pytest.raises(InputError) as err:
        t("caption.figure", "en")
    assert "caption.figure" in str(err.value) and "'n'" in str(err.value)


def test_unknown_language() -> None:
    with pytest.raises(InputError, match="de"):
        t("section.summary", "de")


def test_message_values_are_translated_per_language() -> None:
    value = Msg("outcome.unemployment_rate")
    assert t("caption.event_study", "fi", outcome=value).startswith("Työttömyysaste: arvioitu")
    assert t("caption.event_study", "en", outcome=value).startswith("Unemployment rate: estimated")
    both = {"fi": "Varissuo (fi)", "en": "Varissuo (en)"}
    assert t("caption.gap", "en", outcome=both).startswith("Varissuo (en): gap")


def test_parts_can_keep_their_own_catalogue_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arviointi.report import i18n

    own = tmp_path / "arviointi" / "report" / "catalogue"
    own.mkdir(parents=True)
    for lang in LANGUAGES:
        (own / f"{lang}.yaml").write_text("section:\n  summary: S\n", encoding="utf-8")
    extra = own  # a part's own pair of files next to the main ones
    (extra / "clients.fi.yaml").write_text("clients:\n  heading: Asiakkaat\n", encoding="utf-8")
    (extra / "clients.en.yaml").write_text("clients:\n  heading: Clients\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", own)
    i18n.catalogue.cache_clear()
    try:
        assert t("clients.heading", "fi") == "Asiakkaat"
        assert t("clients.heading", "en") == "Clients"
        (extra / "dup.fi.yaml").write_text("section:\n  summary: X\n", encoding="utf-8")
        i18n.catalogue.cache_clear()
        with pytest.raises(InputError, match="already defined"):
            t("section.summary", "fi")
    finally:
        i18n.catalogue.cache_clear()


# -- the names of the inference methods: one vocabulary, from the registry -----------------


def test_every_method_label_in_the_report_is_the_registrys() -> None:
    from arviointi.inference.registry import REGISTRY, label
    from arviointi.report.method_labels import LABEL_PREFIXES

    assert "inference" in LABEL_PREFIXES
    for lang in LANGUAGES:
        messages = catalogue(lang)
        for prefix, capital in LABEL_PREFIXES.items():
            names = {k[len(prefix) + 1 :] for k in messages if k.startswith(f"{prefix}.")}
            # no method the registry does not know, and none of its methods missing
            assert names == {m.name for m in REGISTRY}, (lang, prefix)
            for method in REGISTRY:
                expected = label(method.name, lang)
                shown = messages[f"{prefix}.{method.name}"]
                if capital:
                    assert shown == expected[:1].upper() + expected[1:], (lang, prefix)
                else:
                    assert shown == expected, (lang, prefix, method.name)


def test_the_registry_labels_are_the_ones_the_tables_show() -> None:
    # written out, so that a change of the registry is a visible change of the report
    assert t("inference.wild", "fi") == "villi ryväsbootstrap"
    assert t("area.inference_short.wild", "fi") == "Villi ryväsbootstrap"
    assert t("synthesis.inference_short.scaled_dl", "en") == "test scaled to each unit's own noise"


def test_no_catalogue_file_writes_a_method_label_of_its_own() -> None:
    import yaml

    from arviointi.report.i18n import CATALOGUE_DIR
    from arviointi.report.method_labels import LABEL_PREFIXES

    for path in sorted(CATALOGUE_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for prefix in [*LABEL_PREFIXES, "wellbeing.inference"]:
            node: object = data
            for part in prefix.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            assert node is None, f"{path.name} defines {prefix}.*"


def test_a_method_label_in_a_catalogue_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from arviointi.report import i18n

    for lang in LANGUAGES:
        (tmp_path / f"{lang}.yaml").write_text("inference:\n  wild: villi bootstrap\n", "utf-8")
    monkeypatch.setattr(i18n, "CATALOGUE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(InputError, match=r"comes from arviointi\.inference\.registry"):
            catalogue("fi")
    finally:
        i18n.catalogue.cache_clear()


def test_the_finnish_text_has_one_name_for_the_wild_bootstrap_and_clustering() -> None:
    # the sentences too: "villi ryväsbootstrap" (and its inflections), "ryvästetyt"
    # keskivirheet; not "klusteribootstrap", "wild bootstrap" or "klusteroidut"
    text = " ".join(catalogue("fi").values()).lower()
    words = set(re.findall(r"\w*bootstrap\w*", text))
    assert words and all(w.startswith("ryväsbootstrap") for w in words), words
    assert not re.search(r"klustero|klusteri", text)


def test_swedish_has_no_method_labels_of_its_own() -> None:
    # the registry has no Swedish labels: the Swedish summary must not name a method
    assert not [k for k in catalogue("sv") if "inference" in k]
