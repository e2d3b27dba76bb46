"""Power and minimum detectable effect of a few-treated-units DiD (usable before the data).

``mde(Design(1, 8, 60, 24), contrast_sd=0.5)`` or ``mde_from_pre_period(pre, "rate",
unit="area", time="month", treated_units=["Varissuo"], n_post=24)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from arviointi.power.mde import MDEResult, contrast_sd_ar1, mde, mde_from_pre_period, power_at

__all__ = ["MDEResult", "contrast_sd_ar1", "mde", "mde_from_pre_period", "power_at"]

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "MDEResult": "arviointi.power.mde",
        "contrast_sd_ar1": "arviointi.power.mde",
        "mde": "arviointi.power.mde",
        "mde_from_pre_period": "arviointi.power.mde",
        "power_at": "arviointi.power.mde",
    },
)
