"""A report figure's inline SVG -> PNG, for formats that cannot embed SVG (Word).

The conversion runs ``rsvg-convert`` (Debian package librsvg2-bin, installed by
``scripts/setup-system.sh``) on the same SVG that the HTML and PDF show, so the Word
figure is the report's figure, not a second drawing.

    png = svg_to_png(svg_text, width_px=1600)
"""

from __future__ import annotations

import shutil
import subprocess

from arviointi.errors import PipelineError

RSVG = "rsvg-convert"


def svg_to_png(svg: str, *, width_px: int = 1600, timeout: float = 60.0) -> bytes:
    """``svg`` (an ``<svg>`` element) rendered as a PNG ``width_px`` pixels wide."""
    exe = shutil.which(RSVG)
    if exe is None:
        raise PipelineError(
            "rsvg-convert is needed to put the figures into the Word report but was not "
            "found. Install the Debian package: sudo apt-get install librsvg2-bin "
            "(or run `make system-deps`)."
        )
    if 'xmlns="http://www.w3.org/2000/svg"' not in svg:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    if "xmlns:xlink=" not in svg:
        svg = svg.replace("<svg", '<svg xmlns:xlink="http://www.w3.org/1999/xlink"', 1)
    proc = subprocess.run(
        [
            exe,
            "--format=png",
            f"--width={width_px}",
            "--keep-aspect-ratio",
            "--background-color=white",
        ],
        input=svg.encode("utf-8"),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0 or not proc.stdout.startswith(b"\x89PNG"):
        tail = proc.stderr.decode("utf-8", "replace").strip()[-400:]
        raise PipelineError(
            f"rsvg-convert could not render a figure (exit {proc.returncode}): {tail}"
        )
    return proc.stdout
