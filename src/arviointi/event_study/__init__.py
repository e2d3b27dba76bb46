"""Event study: leads and lags, joint pre-trend test, Rambachan-Roth style bounds."""
