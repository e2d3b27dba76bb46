"""The one list of inference methods: name, labels, what each needs and where it applies.

Every inference method the estimators accept is one :class:`Method` entry here. The
estimators validate ``inference=`` against it, the params schema takes its names from it,
``auto`` (:func:`arviointi.inference.choose`) picks among them, and the report finds the
short Finnish and English label here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """One inference method.

    name : the value of ``inference=`` (and of ``res.inference.method``)
    label_fi, label_en : short labels for tables
    requires : what the method needs from the design, in plain words
    estimators : which estimators accept it explicitly
    """

    name: str
    label_fi: str
    label_en: str
    requires: str
    estimators: tuple[str, ...]


_PANEL = ("did", "event_study")

REGISTRY: tuple[Method, ...] = (
    Method(
        "classical",
        "tavalliset keskivirheet",
        "classical standard errors",
        "independent, equal-variance errors",
        ("did", "event_study"),
    ),
    Method(
        "robust",
        "heteroskedastisuuden sallivat keskivirheet",
        "heteroskedasticity-robust standard errors",
        "independent errors",
        ("did", "event_study"),
    ),
    Method(
        "cluster",
        "ryvästetyt keskivirheet",
        "clustered standard errors",
        "many treated and many control clusters (>= 15 of each)",
        ("did", "event_study"),
    ),
    Method(
        "wild",
        "villi ryväsbootstrap",
        "wild cluster bootstrap",
        "several treated and control clusters (>= 6 of each)",
        ("did",),
    ),
    Method(
        "permutation",
        "permutaatiotesti",
        "permutation test",
        "exchangeable units; a p-value floor 1/N below alpha",
        ("did", "event_study", "synthetic_did"),
    ),
    Method(
        "conley_taber",
        "Conleyn ja Taberin menetelmä",
        "Conley-Taber method",
        "many control clusters (>= 20) with the treated unit's variance equal to theirs",
        ("did",),
    ),
    Method(
        "donald_lang",
        "Donaldin ja Langin testi",
        "Donald-Lang test",
        "normal unit contrasts with a common variance (the treated unit no noisier)",
        _PANEL,
    ),
    Method(
        "scaled_dl",
        "omaan vaihteluun suhteutettu testi",
        "test scaled to each unit's own noise",
        "each unit's noise a multiple of a common process; >= 3 pre and >= 6 periods",
        (*_PANEL, "synthetic_control", "synthetic_did"),
    ),
    Method(
        "conformal",
        "ajassa siirretty permutaatiotesti",
        "time-shifted permutation test",
        "stationary, weakly dependent errors; p-value floor 1/T below alpha",
        ("did",),
    ),
    Method(
        "placebo",
        "plasebotestit",
        "placebo tests",
        "placebo units exchangeable with the treated unit",
        ("synthetic_control", "synthetic_did"),
    ),
    Method(
        "hac",
        "autokorrelaation sallivat keskivirheet",
        "autocorrelation-robust standard errors",
        "one series long enough for autocorrelation-robust errors",
        ("before_after",),
    ),
    Method(
        "none",
        "ei tilastollista päättelyä",
        "no inference",
        "nothing: the design supports no valid interval",
        (),
    ),
)

BY_NAME: dict[str, Method] = {m.name: m for m in REGISTRY}


def names_for(estimator: str) -> tuple[str, ...]:
    """Method names ``estimator`` accepts explicitly (``"auto"`` is always accepted too)."""
    return tuple(m.name for m in REGISTRY if estimator in m.estimators)


def label(name: str, lang: str) -> str:
    """Short label of a method in ``lang`` ("fi"; any other language gets English)."""
    method = BY_NAME.get(name)
    if method is None:
        return name
    return method.label_fi if lang == "fi" else method.label_en
