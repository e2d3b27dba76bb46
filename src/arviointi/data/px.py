"""Statistics Finland's PC-Axis ``.px`` files -> tidy DataFrame.

A .px file is a list of ``KEYWORD[lang]("subkey")=value;`` statements followed by
``DATA=...;``. Values are quoted strings (a long string may be split into several quoted
parts on consecutive lines, which are joined), comma-separated lists of them, numbers or
bare words such as ``YES`` and ``TLIST(A1)``. The text is decoded with the file's
``CODEPAGE`` (ISO-8859-1 when absent). DATA holds one number per cell in row-major order
of the STUB variables followed by the HEADING variables (the last HEADING variable varies
fastest); the markers ``"."``, ``".."``, ``"..."`` up to ``"......"`` and ``"-"`` are missing
values.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from arviointi.errors import InputError

__all__ = ["PxFile", "parse_px", "read_px"]

_MISSING = {".", "..", "...", "....", ".....", "......", "-", '"-"'}
_KEY_RE = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9_-]+)\s*(?:\[(?P<lang>[A-Za-z_-]+)\])?\s*"
    r"(?:\((?P<sub>.*)\))?\s*$",
    re.DOTALL,
)
_CODEPAGE_RE = re.compile(rb'CODEPAGE\s*=\s*"([^"]+)"')


@dataclass
class PxFile:
    """Parsed keywords of a .px file.

    keywords maps (NAME, lang or None, subkey tuple) -> list of value parts; data holds
    the raw DATA tokens.
    """

    keywords: dict[tuple[str, str | None, tuple[str, ...]], list[str]] = field(default_factory=dict)
    data: list[str] = field(default_factory=list)
    data_line: int = 0

    def get(
        self, name: str, lang: str | None = None, sub: tuple[str, ...] = ()
    ) -> list[str] | None:
        return self.keywords.get((name, lang, sub))

    def one(self, name: str, lang: str | None = None, sub: tuple[str, ...] = ()) -> str | None:
        v = self.get(name, lang, sub)
        return None if v is None else ", ".join(v)


def _split_statements(text: str, source: str) -> list[tuple[str, int]]:
    """Split at ';' outside quotes; return (statement, 1-based line where it starts)."""
    out: list[tuple[str, int]] = []
    buf: list[str] = []
    in_quote = False
    line = 1
    start_line = 1
    content = False
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
        if ch == ";" and not in_quote:
            if content:
                out.append(("".join(buf), start_line))
            buf = []
            content = False
            start_line = line
            continue
        if ch == "\n":
            line += 1
            if not content:
                start_line = line
        elif not ch.isspace():
            content = True
        buf.append(ch)
    if content:
        raise InputError(
            source,
            f"line {start_line}: statement not terminated by ';' (the file may be truncated); "
            "expected KEYWORD=value; statements ending with DATA=...;",
        )
    return out


def _split_value(value: str) -> list[str]:
    """Comma-separated parts; adjacent quoted strings (no comma between) are joined."""
    parts: list[str] = []
    cur: list[str] = []
    in_quote = False
    depth = 0
    for ch in value:
        if ch == '"':
            in_quote = not in_quote
            continue
        if in_quote:
            if ch not in "\r\n":
                cur.append(ch)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
            continue
        if ch.isspace():
            continue
        cur.append(ch)
    parts.append("".join(cur))
    return parts


def parse_px(text: str, source: str = "<px>") -> PxFile:
    """Parse decoded .px text into its keywords and raw DATA tokens."""
    px = PxFile()
    for stmt, line in _split_statements(text, source):
        if "=" not in stmt:
            raise InputError(
                source, f"line {line}: expected KEYWORD=value; found {stmt.strip()[:40]!r}"
            )
        # '=' may appear inside a quoted subkey: split at the first '=' outside quotes.
        in_quote = False
        eq = -1
        for i, ch in enumerate(stmt):
            if ch == '"':
                in_quote = not in_quote
            elif ch == "=" and not in_quote:
                eq = i
                break
        if eq < 0:
            raise InputError(
                source, f"line {line}: expected KEYWORD=value; found {stmt.strip()[:40]!r}"
            )
        key, value = stmt[:eq], stmt[eq + 1 :]
        m = _KEY_RE.match(key)
        if m is None:
            raise InputError(source, f"line {line}: cannot read the keyword {key.strip()[:40]!r}")
        name = m.group("name").upper()
        if name == "DATA":
            px.data = [t for t in re.split(r"[\s,]+", value.strip()) if t]
            px.data_line = line
            continue
        sub = tuple(_split_value(m.group("sub"))) if m.group("sub") is not None else ()
        px.keywords[(name, m.group("lang"), sub)] = _split_value(value)
    return px


def _check_codepage(raw: bytes, codepage: str, source: str) -> None:
    """A single-byte CODEPAGE over bytes that are UTF-8 would publish mojibake ("Ã¤")."""
    try:
        single_byte = len("ä".encode(codepage)) == 1
    except (LookupError, UnicodeEncodeError):
        return
    first = next((i for i, byte in enumerate(raw) if byte > 0x7F), None)
    if not single_byte or first is None:
        return
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return  # not UTF-8: the declared single-byte code page is plausible
    line = raw.count(b"\n", 0, first) + 1
    sample = raw[first : first + 2].decode("utf-8", "replace")
    raise InputError(
        source,
        f"line {line}: CODEPAGE is {codepage!r} but the file's bytes are UTF-8 ({sample!r} "
        f"is written as {raw[first : first + 2].hex(' ')}); its names would be garbled. "
        'Expected CODEPAGE="utf-8" for this file (or the file saved in the declared code page)',
    )


def read_px(path: str | Path, *, language: str | None = None, codes: bool = False) -> pd.DataFrame:
    """Read a .px file into a tidy frame: one column per STUB/HEADING variable + ``value``.

    language : a language listed in LANGUAGES for labels and variable names (default:
        the file's main LANGUAGE)
    codes : use CODES instead of VALUES labels in the dimension columns

    attrs: source, table_id, title, contents, units, language, n_missing (cells whose DATA
    token was a missing marker, now NaN).
    """
    p = Path(path)
    source = str(p)
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise InputError(source, f"cannot read the file ({e})") from None
    if not raw.strip():
        raise InputError(source, "the file is empty; expected a PC-Axis .px file")
    m = _CODEPAGE_RE.search(raw[:4000])
    codepage = m.group(1).decode("ascii", "replace") if m else "iso-8859-1"
    try:
        text = raw.decode(codepage)
    except LookupError:
        raise InputError(source, f"CODEPAGE {codepage!r} is not a known encoding") from None
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise InputError(
            source, f"line {line}: byte 0x{raw[e.start]:02x} is not valid in CODEPAGE {codepage!r}"
        ) from None
    _check_codepage(raw, codepage, source)
    text = text.lstrip("\ufeff")
    px = parse_px(text, source)
    if not px.data:
        raise InputError(source, "no DATA= section found; expected DATA=...; at the end")

    main_lang = px.one("LANGUAGE")
    lang = None if language is None or language == main_lang else language
    stub = px.get("STUB", lang) or []
    heading = px.get("HEADING", lang) or []
    variables = [v for v in stub + heading if v]
    if not variables:
        raise InputError(source, f"no STUB or HEADING for language {language or main_lang!r}")
    levels: list[list[str]] = []
    for var in variables:
        vals = px.get("CODES" if codes else "VALUES", lang, (var,))
        if vals is None:
            raise InputError(
                source,
                f'{"CODES" if codes else "VALUES"}{f"[{lang}]" if lang else ""}("{var}") is '
                f"missing; expected one for every STUB and HEADING variable",
            )
        levels.append(vals)
    expected = math.prod(len(v) for v in levels)
    if len(px.data) != expected:
        raise InputError(
            source,
            f"line {px.data_line}: DATA has {len(px.data)} values; STUB x HEADING sizes "
            f"{' x '.join(str(len(v)) for v in levels)} imply {expected}",
        )
    values: list[float] = []
    n_missing = 0
    for i, tok in enumerate(px.data):
        t = tok.strip('"')
        if tok in _MISSING or t in _MISSING:
            values.append(math.nan)
            n_missing += 1
            continue
        try:
            values.append(float(t))
        except ValueError:
            raise InputError(
                source,
                f"DATA value number {i + 1} (from line {px.data_line}) is {tok!r}; expected a "
                "number or a missing marker such as '..'",
            ) from None
    rows = list(itertools.product(*levels))
    frame = pd.DataFrame(rows, columns=variables)
    frame["value"] = pd.Series(values, dtype="float64")
    frame.attrs = {
        "source": source,
        "table_id": px.one("TABLEID"),
        "title": px.one("TITLE", lang),
        "contents": px.one("CONTENTS", lang),
        "units": px.one("UNITS", lang),
        "language": language or main_lang,
        "n_missing": n_missing,
    }
    return frame
