"""Translation catalogue of the report: every label and sentence a report shows.

Messages live in ``catalogue/<lang>.yaml`` (one file per language, nested mappings that
are flattened with dots) and are looked up with :func:`t`::

    t("section.summary", "fi")                       # -> "Tiivistelmä"
    t("caption.figure", "en", n=3)                   # -> "Figure 3."

Adding a message
----------------
1. Add the key to **both** ``catalogue/fi.yaml`` and ``catalogue/en.yaml`` (same nesting,
   same ``{placeholders}``; ``tests/unit/test_i18n.py`` fails otherwise). A part of the package
   may keep its messages in its own pair of files ``catalogue/<part>.fi.yaml`` and
   ``catalogue/<part>.en.yaml``; they are merged, and a key may be defined only once.
2. Write plain text, not HTML: the emitter escapes every message. Use ``str.format``
   placeholders (``{outcome}``); a literal brace is written ``{{`` / ``}}``.
3. Finnish in plain language: short sentences, common words, the term explained once.

The labels of the inference methods (``inference.<method>`` and the prefixes of
:data:`arviointi.report.method_labels.LABEL_PREFIXES`) are not in the YAML files: they
come from :mod:`arviointi.inference.registry`, so every part of the report names a method
alike. A catalogue file that defines one of them is an error.

A placeholder value may itself be a message: pass ``Msg("outcome.unemployment_rate")`` and
it is translated into the language being written (the Emitter writes every language from
one call, so a plain string would appear untranslated in the other language). A
``{"fi": ..., "en": ...}`` mapping is also accepted and the matching entry is used.

Other placeholder values are inserted as given, except numbers: an ``int`` is formatted with
:func:`arviointi.report.formatting.fmt_int` and a ``float`` with
:func:`~arviointi.report.formatting.fmt_number` (one decimal) in the message language, so a
Finnish sentence never shows ``1.2``. Format numbers yourself when you need other decimals.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from arviointi.errors import InputError, Problem
from arviointi.report import locale_format
from arviointi.report.formatting import fmt_int, fmt_number
from arviointi.report.method_labels import method_messages

#: languages a report can be written in
LANGUAGES: tuple[str, ...] = ("fi", "en")
#: languages of the description sheets at the front of every report; Swedish (``sv``)
#: has messages only for them and the Swedish summary (sammandrag), in ``sv.yaml``
SHEET_LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")
CATALOGUE_DIR = Path(__file__).parent / "catalogue"


def catalogue_path(lang: str) -> Path:
    """The YAML file that holds the messages of ``lang``."""
    if lang not in SHEET_LANGUAGES:
        check_language(lang)
    return CATALOGUE_DIR / f"{lang}.yaml"


def check_language(lang: str, *, where: str = "languages") -> None:
    """Raise :class:`InputError` unless ``lang`` is a supported report language."""
    if lang not in LANGUAGES:
        raise InputError(
            "<report language>",
            [Problem(where, f"unknown language {lang!r}; expected one of {list(LANGUAGES)}")],
        )


def _flatten(node: Any, prefix: str, out: dict[str, str], path: Path) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(value, f"{prefix}.{key}" if prefix else str(key), out, path)
    elif isinstance(node, str):
        out[prefix] = node
    else:
        raise InputError(
            str(path), [Problem(f"key {prefix!r}", f"expected a text message, got {node!r}")]
        )


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """All messages of ``lang`` as a flat ``{key: template}`` mapping (cached)."""
    out: dict[str, str] = {}
    seen: dict[str, Path] = {}
    # the main file, then one extra file per part of the package (``<part>.<lang>.yaml``),
    # so that sections can keep their own messages; a key may be defined only once
    for path in [catalogue_path(lang), *sorted(CATALOGUE_DIR.glob(f"*.{lang}.yaml"))]:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        part: dict[str, str] = {}
        _flatten(data, "", part, path)
        for key in part:
            if key in seen:
                raise InputError(
                    str(path), [Problem(f"key {key!r}", f"already defined in {seen[key].name}")]
                )
            seen[key] = path
        out.update(part)
    if lang in LANGUAGES:
        # the names of the inference methods come from the registry (method_labels.py)
        generated = method_messages(lang)
        twice = sorted(set(generated) & set(out))
        if twice:
            raise InputError(
                str(seen[twice[0]]),
                [
                    Problem(
                        f"key {key!r}",
                        "an inference method's label comes from "
                        "arviointi.inference.registry; remove it from the catalogue",
                    )
                    for key in twice
                ],
            )
        out.update(generated)
    return out


def placeholders(template: str) -> set[str]:
    """Names of the ``str.format`` fields used in ``template``."""
    names: set[str] = set()
    for _literal, name, _spec, _conv in string.Formatter().parse(template):
        if name is not None:
            names.add(name.split(".")[0].split("[")[0])
    return names


def has_message(key: str, lang: str = "fi") -> bool:
    """Whether ``key`` exists in the catalogue of ``lang``."""
    return key in catalogue(lang)


@dataclass(frozen=True)
class Msg:
    """A catalogue message used as a placeholder value; translated per language."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


def _format_value(value: Any, lang: str) -> Any:
    if isinstance(value, Msg):
        return t(value.key, lang, **dict(value.values))
    if isinstance(value, Mapping) and lang in value:
        return value[lang]
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_int(value, lang) if lang in LANGUAGES else locale_format.integer(value, lang)
    if isinstance(value, float):
        return (
            fmt_number(value, lang, 1) if lang in LANGUAGES else locale_format.number(value, lang)
        )
    return value


def t(key: str, lang: str, /, **values: Any) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled from ``values``.

    Raises :class:`InputError` naming the catalogue file and key when the key does not
    exist or a placeholder has no value.
    """
    messages = catalogue(lang)
    path = catalogue_path(lang)
    if key not in messages:
        raise InputError(
            str(path),
            [Problem(f"key {key!r}", "no such message; add it to fi.yaml and en.yaml (sv.yaml)")],
        )
    template = messages[key]
    missing = placeholders(template) - set(values)
    if missing:
        raise InputError(
            str(path),
            [Problem(f"key {key!r}", f"needs values for {sorted(missing)}, got {sorted(values)}")],
        )
    return template.format(**{k: _format_value(v, lang) for k, v in values.items()})
