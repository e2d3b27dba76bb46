"""The report's names of the inference methods come from one place: the registry.

Every inference method is named once, with its Finnish and English label, in
:data:`arviointi.inference.registry.REGISTRY`. The report catalogue does not repeat those
labels in YAML; :func:`method_messages` writes them into the catalogue under each prefix
of :data:`LABEL_PREFIXES`, so a table cell, a sentence and the synthesis all call a method
the same thing, in every language:

    t("inference.wild", "fi")              # -> "villi ryväsbootstrap"
    t("area.inference_short.wild", "fi")   # -> "Villi ryväsbootstrap" (starts a table cell)

Renaming a method in the report means changing its label in the registry. Explanations of
a method (``area.inference.<name>``, ``synthesis.inference_reason.<name>``) are sentences,
not labels, and stay in the catalogue.
"""

from __future__ import annotations

#: catalogue prefixes whose ``<prefix>.<method>`` messages are the registry's labels, and
#: whether the label is capitalised there (it starts a table cell)
LABEL_PREFIXES: dict[str, bool] = {
    "inference": False,
    "area.inference_short": True,
    "synthesis.inference_short": False,
}


def capitalised(text: str) -> str:
    """``text`` with its first letter in upper case (the rest as written)."""
    return text[:1].upper() + text[1:]


def method_messages(lang: str) -> dict[str, str]:
    """``{key: label}`` of every registered method under every prefix, in ``lang``."""
    # imported here: the registry's package loads the estimators' numerical code, which a
    # plain import of the report catalogue should not
    from arviointi.inference.registry import REGISTRY, label

    out: dict[str, str] = {}
    for prefix, capital in LABEL_PREFIXES.items():
        for method in REGISTRY:
            text = label(method.name, lang)
            out[f"{prefix}.{method.name}"] = capitalised(text) if capital else text
    return out
