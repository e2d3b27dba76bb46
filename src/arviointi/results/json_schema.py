"""The JSON Schema of results.json (``schemas/results.schema.json``), generated from
:class:`arviointi.results.record.ResultsDocument`.

``arviointi schema results`` prints it; regenerate the committed file after changing the
record contract with ``python -m arviointi.results.json_schema`` (a test checks that the
committed file is current).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: where the schema is committed, relative to the project root
SCHEMA_PATH = Path("schemas") / "results.schema.json"


def schema_text() -> str:
    """The JSON Schema of results.json as stable, indented text."""
    from arviointi.results.record import ResultsDocument

    schema = ResultsDocument.model_json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "arviointi results.json"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else SCHEMA_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
