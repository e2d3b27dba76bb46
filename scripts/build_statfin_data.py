"""Build data/statfin/tyonv_12r5_monthly.csv.gz from the shared StatFin 12r5 CSV.

Usage (from the repository root):
    .venv/bin/python scripts/build_statfin_data.py [SOURCE_CSV]

SOURCE_CSV defaults to ../shared/data/statfin_12r5/tyonv_12r5_monthly_2006-01_2023-10.csv.
The output keeps every area (whole country, ELY centres, regions, sub-regions,
municipalities) and month, and only the columns the loader needs; it drops the derived
share (recomputed by the loader at full precision) and the sub-region/region name columns
(redundant with the region rows). Values are copied as text, unchanged. The gzip stream
has no file name and mtime 0, so a re-run gives byte-identical output.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared/data/statfin_12r5/tyonv_12r5_monthly_2006-01_2023-10.csv"
OUTPUT = ROOT / "data/statfin/tyonv_12r5_monthly.csv.gz"

#: output column <- source column
COLUMNS = {
    "area_code": "area_code",
    "area": "area_name",
    "area_level": "area_level",
    "month": "month",
    "unemployed": "unemployed_jobseekers",
    "labour_force": "labour_force",
    "open_vacancies": "open_vacancies",
}


def build(source: Path, output: Path) -> str:
    """Write the compact file; return its SHA-256."""
    with source.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(list(COLUMNS))
    for r in rows:
        writer.writerow([r[src] for src in COLUMNS.values()])
    payload = buf.getvalue().encode("utf-8")
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(payload)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(out.getvalue())
    return hashlib.sha256(out.getvalue()).hexdigest()


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    digest = build(source, OUTPUT)
    src_digest = hashlib.sha256(source.read_bytes()).hexdigest()
    print(f"{src_digest}  {source}")
    print(f"{digest}  {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
