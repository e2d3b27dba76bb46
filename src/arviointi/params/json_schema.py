"""The JSON Schema of parameter files, for editors (``params/schema.json``).

Regenerate after changing the models: ``python -m arviointi.params.json_schema``; a test
checks that the committed file is current.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from arviointi.params.schema import Evaluation

#: where the schema is committed, relative to the project root
SCHEMA_PATH = Path("params") / "schema.json"


def schema_text() -> str:
    """The JSON Schema (by alias, as written in YAML) as stable, indented text."""
    schema = Evaluation.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "arviointi evaluation parameters"
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else SCHEMA_PATH
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
