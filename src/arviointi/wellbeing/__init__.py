"""Well-being analyses: paired before-after change in survey scales, attrition, and themes
of coded qualitative material.

Register indicators (e.g. ``social_assistance_recipients`` in the area panel) are prepared
by :func:`register_indicator_panel` for the area-level DiD in :mod:`arviointi.did`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.wellbeing.attrition import attrition_table
    from arviointi.wellbeing.change_did import change_difference
    from arviointi.wellbeing.paired import paired_change
    from arviointi.wellbeing.register import register_indicator_panel
    from arviointi.wellbeing.themes import themes_by_wave

__all__ = [
    "attrition_table",
    "change_difference",
    "paired_change",
    "register_indicator_panel",
    "themes_by_wave",
]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "attrition_table": "arviointi.wellbeing.attrition",
        "change_difference": "arviointi.wellbeing.change_did",
        "paired_change": "arviointi.wellbeing.paired",
        "register_indicator_panel": "arviointi.wellbeing.register",
        "themes_by_wave": "arviointi.wellbeing.themes",
    },
)
