"""Event study: leads and lags, joint pre-trend test, Rambachan-Roth style bounds."""

from arviointi.event_study.model import event_study
from arviointi.event_study.results import EventStudyResults
from arviointi.event_study.sensitivity import relative_magnitude_bounds, smoothness_bounds

__all__ = ["EventStudyResults", "event_study", "relative_magnitude_bounds", "smoothness_bounds"]
