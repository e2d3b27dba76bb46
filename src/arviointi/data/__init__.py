"""The data layer: the only place in the package that reads data files.

Public names: :func:`read_table`, :func:`read_px`, :func:`read_jsonstat2`, :func:`validate`,
:func:`load_source`, :func:`file_digest`, :func:`load_statfin_12r5` and the ``schemas``
module (AREA_PANEL, CLIENTS, CLIENT_PANEL, SURVEY, COST_LEDGER, INVOICES, MEASURES, SCHEMAS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from arviointi.lazy_exports import lazy_exports

if TYPE_CHECKING:
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

__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "SCHEMAS": "arviointi.data.schemas",
        "Column": "arviointi.data.schemas",
        "Schema": "arviointi.data.schemas",
        "file_digest": "arviointi.data.sources",
        "load_source": "arviointi.data.sources",
        "load_statfin_12r5": "arviointi.data.statfin",
        "read_jsonstat2": "arviointi.data.jsonstat",
        "read_px": "arviointi.data.px",
        "read_records": "arviointi.data.results",
        "read_table": "arviointi.data.readers",
        "validate": "arviointi.data.validate",
    },
    modules={"schemas"},
)
