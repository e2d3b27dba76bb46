"""HTML report -> A4 PDF with Debian's headless Chromium (``--print-to-pdf``).

Page size, margins, page numbers and the synthetic banner come from the report's CSS
(``@page`` margin boxes, Chromium >= 131). The table of contents gets page numbers in a
second pass: the first PDF is read with ``pdftotext`` (poppler-utils) to find the page of
every heading, the numbers are written into the TOC and the page is printed again. Without
poppler the TOC simply has no page numbers. Nothing is downloaded; Chromium runs with a
fresh profile, networking features off.

    html_to_pdf(Path("reports/x/report.fi.html"), Path("reports/x/report.fi.pdf"))
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf

from arviointi.errors import PipelineError
from arviointi.report.description import fill_pages

PAGES_SPAN = '<span class="arv-pages">'

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser")
_HTML_LANG = re.compile(r'<html[^>]*\slang="([^"]+)"')
_HTML_TITLE = re.compile(r"<title>([^<]*)</title>")
_TOC_ENTRY = re.compile(
    r'<span class="toc-num">([^<]*)</span><span class="toc-text">([^<]*)</span>'
    r'<span class="toc-fill"></span><span class="toc-page" data-target="([^"]+)">[^<]*</span>'
)


def find_chromium() -> str:
    """Path of the Chromium binary, or :class:`PipelineError` naming the apt package."""
    for candidate in CHROMIUM_CANDIDATES:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    raise PipelineError(
        "Chromium is needed to print the PDF report but was not found "
        f"(looked for {', '.join(CHROMIUM_CANDIDATES)}). Install the Debian package: "
        "sudo apt-get install chromium   (or run `make system-deps`)."
    )


def chromium_flags(user_data_dir: Path) -> list[str]:
    """Flags for a headless, offline, throw-away Chromium."""
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--disable-default-apps",
        "--disable-dev-shm-usage",
        "--metrics-recording-only",
        "--mute-audio",
        f"--user-data-dir={user_data_dir}",
    ]


def _print(chromium: str, html_path: Path, pdf_path: Path, profile: Path, timeout: float) -> None:
    cmd = [
        chromium,
        *chromium_flags(profile),
        "--no-pdf-header-footer",
        "--generate-pdf-document-outline",
        f"--print-to-pdf={pdf_path}",
        html_path.resolve().as_uri(),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise PipelineError(
            f"Chromium did not print {html_path} within {timeout:g} s; the PDF was not made"
        ) from exc
    if proc.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-8:])
        raise PipelineError(
            f"Chromium failed to print {html_path} to PDF (exit {proc.returncode}):\n{tail}"
        )


def pdf_pages_text(pdf_path: Path) -> list[str] | None:
    """Text of every page (pdftotext), or None when poppler-utils is not installed."""
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    proc = subprocess.run(
        [exe, "-enc", "UTF-8", str(pdf_path), "-"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if proc.returncode != 0:
        return None
    return proc.stdout.split("\f")


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def toc_page_numbers(html_text: str, pages: list[str]) -> dict[str, int]:
    """Page number (1-based) of every TOC target, found in the pages' text.

    TOC entries appear twice: in the table of contents and at the heading. The search
    skips the contents pages (up to the page holding the last TOC entry) and then finds
    the headings in order.
    """
    entries = [
        (target, _norm(f"{html.unescape(num)} {html.unescape(text)}"))
        for num, text, target in _TOC_ENTRY.findall(html_text)
    ]
    if not entries:
        return {}
    lines_by_page = [[_norm(line) for line in page.splitlines()] for page in pages]

    def find(label: str, start: int) -> int | None:
        probe = label[:40]
        for p in range(start, len(lines_by_page)):
            if any(line.startswith(probe) for line in lines_by_page[p]):
                return p
        return None

    last_toc = find(entries[-1][1], 0)
    if last_toc is None:
        return {}
    found: dict[str, int] = {}
    cursor = last_toc + 1
    for target, label in entries:
        page = find(label, cursor)
        if page is None:
            continue
        found[target] = page + 1
        cursor = page
    return found


def _fill_toc(html_text: str, numbers: dict[str, int]) -> str:
    def fill(match: re.Match[str]) -> str:
        num, text, target = match.groups()
        page = numbers.get(target, "")
        return (
            f'<span class="toc-num">{num}</span><span class="toc-text">{text}</span>'
            f'<span class="toc-fill"></span>'
            f'<span class="toc-page" data-target="{target}">{page}</span>'
        )

    return _TOC_ENTRY.sub(fill, html_text)


def _write_metadata(printed: Path, out: Path, html_text: str) -> None:
    """Copy ``printed`` to ``out`` with the report's title and language in the XMP
    metadata too (Chromium writes them only into the document info and the catalogue)."""
    lang_match = _HTML_LANG.search(html_text)
    title_match = _HTML_TITLE.search(html_text)
    lang = lang_match.group(1) if lang_match else ""
    title = html.unescape(title_match.group(1)).strip() if title_match else ""
    with pikepdf.open(printed) as pdf:
        if lang:
            pdf.Root.Lang = pikepdf.String(lang)
        with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
            if title:
                xmp["dc:title"] = title
            if lang:
                xmp["dc:language"] = [lang]
        if title:
            pdf.docinfo["/Title"] = title
        viewer = pdf.Root.get("/ViewerPreferences")
        if viewer is None:
            pdf.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        else:
            viewer.DisplayDocTitle = True
        pdf.save(out, deterministic_id=True)


def page_count(pdf_path: Path) -> int | None:
    """The number of pages of ``pdf_path``, or None when it is not a PDF pikepdf reads."""
    try:
        with pikepdf.open(pdf_path) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, OSError):
        return None


def html_to_pdf(
    html_path: Path, pdf_path: Path, *, timeout: float = 120.0, toc_pages: bool = True
) -> Path:
    """Print ``html_path`` to an A4 PDF at ``pdf_path`` (written atomically)."""
    html_path = Path(html_path)
    pdf_path = Path(pdf_path)
    if not html_path.is_file():
        raise PipelineError(f"{html_path}: the HTML report to print does not exist")
    chromium = find_chromium()
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="arviointi-chromium-") as tmp:
        tmpdir = Path(tmp)
        first = tmpdir / "first.pdf"
        _print(chromium, html_path, first, tmpdir / "profile", timeout)
        result = first
        if toc_pages:
            html_text = html_path.read_text(encoding="utf-8")
            pages = pdf_pages_text(first)
            numbers = toc_page_numbers(html_text, pages) if pages else {}
            if numbers or (pages and PAGES_SPAN in html_text):
                second_html = tmpdir / "paged.html"
                filled = _fill_toc(html_text, numbers)
                count = page_count(first)
                if count:
                    filled = fill_pages(filled, count)
                second_html.write_text(filled, encoding="utf-8")
                result = tmpdir / "second.pdf"
                _print(chromium, second_html, result, tmpdir / "profile2", timeout)
        staging = pdf_path.with_name(f".{pdf_path.name}.tmp")
        _write_metadata(result, staging, html_path.read_text(encoding="utf-8"))
        os.replace(staging, pdf_path)
    return pdf_path
