"""Bidirectional-text controls made visible and inert in published reports.

A right-to-left override (U+202E) or isolate in an area name or title would reorder the
text after it on screen and in the PDF ("Varissuo\u202e%3.1-" shows as "Varissuo-1.3%"),
so a report could show something other than what its data say. Every such control
character in a rendered report is replaced by a visible escape ``[U+202E]``.
"""

from __future__ import annotations

import re

#: embeddings, overrides, isolates and the marks (LRM, RLM, ALM)
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def neutralise_bidi(text: str) -> str:
    """``text`` with every bidi control character replaced by ``[U+XXXX]``."""
    return BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
