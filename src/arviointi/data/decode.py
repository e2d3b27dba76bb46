"""Bytes of a data file to text: gzip decompression and strict decoding (UTF-8, else
ISO-8859-15), each failure an :class:`~arviointi.errors.InputError` in the user's terms
("this file is damaged", "the file is UTF-16 text", "mixed encodings: line ...")."""

from __future__ import annotations

import gzip
import re
import zlib

from arviointi.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
_C1_CONTROLS = re.compile("[\x80-\x9f]")
#: A two-byte UTF-8 sequence for a Latin letter (ä = c3 a4); rare in Latin-9 text.
_UTF8_PAIR = re.compile(rb"[\xc3\xc5][\x80-\xbf]")


def _short(text: str, limit: int = 200) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[:limit] + "..."


def gunzip(raw: bytes, source: str) -> bytes:
    """Decompress gzip bytes; a damaged or truncated file is an ``InputError``."""
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(
            source,
            f"this file is damaged: its gzip compression cannot be undone ({_short(str(e))}); "
            "the file is probably truncated or corrupted: copy or download it again",
        ) from None


def _line_of_offset(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def decode_text(raw: bytes, encoding: str | None, source: str) -> tuple[str, str]:
    """Decode ``raw`` strictly; return (text, encoding used). Shared with the .px reader."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            source, "the file is UTF-16 text; expected UTF-8 or ISO-8859-15 (save it as UTF-8)"
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        kind = ""
        if raw.startswith(b"PAR1"):
            kind = " (it is a Parquet file: use the .parquet suffix or format='parquet')"
        elif raw.startswith(b"PK\x03\x04"):
            kind = " (it is a zip archive such as .xlsx: use format='excel')"
        raise InputError(
            source,
            f"line {_line_of_offset(raw, nul)}: binary data (NUL byte at byte offset {nul}); "
            f"expected a text file{kind}",
        )
    if encoding is not None:
        try:
            text = raw.decode(encoding)
        except LookupError:
            raise InputError(
                source, f"unknown encoding {encoding!r}; expected e.g. 'utf-8' or 'iso-8859-15'"
            ) from None
        except UnicodeDecodeError as e:
            hint = ""
            if _is_utf8(raw):
                hint = "; the file is valid UTF-8 (use encoding='utf-8')"
            else:
                hint = "; the file looks ISO-8859-15 (Latin-9) encoded (use encoding='iso-8859-15')"
            raise InputError(
                source,
                f"line {_line_of_offset(raw, e.start)}: byte 0x{raw[e.start]:02x} at offset "
                f"{e.start} is not valid {encoding}{hint}",
            ) from None
        if _is_single_byte(encoding) and not raw.isascii() and _is_utf8(raw):
            pos = next(i for i, b in enumerate(raw) if b >= 0x80)
            raise InputError(
                source,
                f"line {_line_of_offset(raw, pos)}: encoding={encoding!r} was given but the file "
                f"is UTF-8 (multi-byte characters such as "
                f"{raw[pos : pos + 2].decode('utf-8', 'replace')!r}); expected text in {encoding}",
            )
        return _strip_bom(text), encoding
    if _is_utf8(raw):
        return _strip_bom(raw.decode("utf-8")), "utf-8"
    seq = _UTF8_PAIR.search(raw)
    if seq is not None:
        bad_at = 0
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            bad_at = e.start
        raise InputError(
            source,
            f"mixed encodings: line {_line_of_offset(raw, seq.start())} has UTF-8 text "
            f"({seq.group().decode('utf-8')!r}) but line {_line_of_offset(raw, bad_at)} has "
            f"byte 0x{raw[bad_at]:02x}, which is not UTF-8; expected one encoding in the "
            "whole file (save it again as UTF-8)",
        )
    text = raw.decode("iso-8859-15")
    m = _C1_CONTROLS.search(text)
    if m is not None:
        line = text.count("\n", 0, m.start()) + 1
        raise InputError(
            source,
            f"line {line}: the file is neither UTF-8 nor ISO-8859-15 (byte "
            f"0x{ord(m.group()):02x} is a control character in ISO-8859-15); it may be "
            f"Windows-1252: pass encoding='cp1252' or save the file as UTF-8",
        )
    return text, "iso-8859-15"


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_single_byte(encoding: str) -> bool:
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith(("iso8859", "latin", "cp125", "iso-8859"))


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text
