"""The data layer: the only place in the package that reads data files.

Public names: :func:`read_table`, :func:`read_px`, :func:`read_jsonstat2`, :func:`validate`,
:func:`load_source`, :func:`file_digest`, :func:`load_statfin_12r5` and the ``schemas``
module (AREA_PANEL, CLIENTS, CLIENT_PANEL, SURVEY, COST_LEDGER, INVOICES, MEASURES, SCHEMAS).
"""

from __future__ import annotations

from arviointi.data import schemas
from arviointi.data.jsonstat import read_jsonstat2
from arviointi.data.px import read_px
from arviointi.data.readers import read_table
from arviointi.data.results import read_records
from arviointi.data.schemas import SCHEMAS, Column, Schema
from arviointi.data.sources import file_digest, load_source
from arviointi.data.statfin import load_statfin_12r5
from arviointi.data.validate import validate

__all__ = [
    "SCHEMAS",
    "Column",
    "Schema",
    "file_digest",
    "load_source",
    "load_statfin_12r5",
    "read_jsonstat2",
    "read_px",
    "read_records",
    "read_table",
    "schemas",
    "validate",
]
