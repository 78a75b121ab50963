# SPDX-License-Identifier: EUPL-1.2
"""Bytes to lines of text for the table readers: which encoding a file is in, and its lines.

A UTF-8 file with lines in Windows-1252 (two exports glued together, a line edited in an old
program) reads: a file is decoded a block of whole lines at a time, and only a block that is
not UTF-8 is decoded line by line, its lines that are not UTF-8 as Windows-1252. The line
readers mark what the lines since the last row needed (:class:`LineMarks`): read as
Windows-1252, a NUL byte dropped; the row readers of :mod:`leerlus.engine.tables` take the marks
after every row and count the rows (:class:`Recoded`) or keep them aside.
"""

from __future__ import annotations

import codecs
import io
import itertools
import operator
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Final

__all__ = [
    "BLOCK_BYTES",
    "RECODED_ROWS_KEPT",
    "LineMarks",
    "Recoded",
    "decoded_lines",
    "sample_encoding",
    "text_lines",
    "without_nul",
]

# Lines are decoded a block of (about) this size at a time.
BLOCK_BYTES: Final = 64 * 1024
_DECODE: Final = {codec: operator.methodcaller("decode", codec) for codec in ("utf-8", "cp1252")}
# Row numbers of rows read as Windows-1252 that a table keeps (it counts them all).
RECODED_ROWS_KEPT: Final = 100

_BOMS: Final = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sample_encoding(sample: bytes) -> str | None:
    """``utf-8-sig``/``utf-16``/``utf-32`` (by their BOM), ``utf-8`` or ``cp1252``; None for a
    sample that is no text (see :func:`leerlus.engine.tables.detect_encoding`)."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    try:
        text = codecs.getincrementaldecoder("utf-8")("strict").decode(sample, final=False)
        encoding = "utf-8"
    except UnicodeDecodeError:
        if _has_utf8_line(sample):
            text, encoding = sample.decode("utf-8", errors="replace"), "utf-8"
        else:
            try:
                text = sample.decode("cp1252")
            except UnicodeDecodeError:
                return None
            encoding = "cp1252"
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        return None
    return encoding


def _has_utf8_line(sample: bytes) -> bool:
    """Whether a whole line of the sample has characters beyond ASCII and reads as UTF-8:
    Windows-1252 text almost never does."""
    lines = sample.split(b"\n")
    for line in lines[:-1] if len(lines) > 1 else lines:  # the last one may be cut off
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


@dataclass
class Recoded:
    """The rows read as Windows-1252 in a UTF-8 file: how many, and the first row numbers."""

    count: int = 0
    rows: list[int] = field(default_factory=list)

    def add(self, row: int) -> None:
        self.count += 1
        if len(self.rows) < RECODED_ROWS_KEPT:
            self.rows.append(row)


@dataclass
class LineMarks:
    """What the lines read since the last row needed: set by the line readers, taken by the
    row readers after each row (the csv module reads no line ahead of its record)."""

    recoded: bool = False
    nul: bool = False

    def take(self) -> tuple[bool, bool]:
        taken = (self.recoded, self.nul)
        self.recoded = self.nul = False
        return taken


def without_nul(lines: Iterable[str], marks: LineMarks) -> Iterator[str]:
    for line in lines:
        if "\x00" in line:
            marks.nul = True
            line = line.replace("\x00", "")
        yield line


def decoded_lines(binary: IO[bytes], encoding: str, marks: LineMarks) -> Iterator[str]:
    """The file's lines as text, one at a time, line endings kept (the csv module needs them).

    Decoded a block of whole lines at a time, and the lines of a block handed on from C
    (``io.StringIO``, ``itertools.chain``) without a Python step per line. Where a block of a
    UTF-8 file is not UTF-8, its lines are decoded one by one and those that are not UTF-8 are
    read as Windows-1252 (marked ``recoded``). NUL characters are dropped (no database stores
    them) and marked ``nul``.
    """
    if encoding in ("utf-16", "utf-32"):
        return without_nul(text_lines(binary, encoding), marks)
    return itertools.chain.from_iterable(_blocks(binary, encoding, marks))


def _blocks(binary: IO[bytes], encoding: str, marks: LineMarks) -> Iterator[Iterable[str]]:
    """The file in blocks of whole lines, each as the lines it holds."""
    codec = "cp1252" if encoding == "cp1252" else "utf-8"
    rest = binary.read(len(codecs.BOM_UTF8)) if encoding == "utf-8-sig" else b""
    if rest == codecs.BOM_UTF8:
        rest = b""
    while block := binary.read(BLOCK_BYTES):
        block = rest + block if rest else block
        end = block.rfind(b"\n") + 1
        if not end:  # a line longer than a block: read on to its end
            rest = block
            continue
        block, rest = block[:end], block[end:]
        yield _block_lines(block, codec, marks)
    if rest:
        yield _block_lines(rest, codec, marks)


def _block_lines(block: bytes, codec: str, marks: LineMarks) -> Iterable[str]:
    try:
        block.decode(codec)  # the whole block at once: the check that costs least
    except UnicodeDecodeError:
        return without_nul(_line_by_line(block, codec, marks), marks)
    # Lines end at LF only, as the bytes were split (a lone CR stays in its line); each line
    # decoded in C, without a Python step (measured: faster than one io.StringIO of the block).
    lines = map(_DECODE[codec], io.BytesIO(block))
    return without_nul(lines, marks) if b"\x00" in block else lines


def _line_by_line(block: bytes, codec: str, marks: LineMarks) -> Iterator[str]:
    for raw in io.BytesIO(block):
        try:
            yield raw.decode(codec)
        except UnicodeDecodeError:
            if codec == "utf-8":  # set before the line is handed on, for the row it is part of
                marks.recoded = True
            yield raw.decode("cp1252", errors="replace")


_LINE: Final = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


def text_lines(binary: IO[bytes], encoding: str) -> Iterator[str]:
    """Lines (ending in CR LF, LF or a lone CR) of a file in a multi-byte encoding."""
    decoder = codecs.getincrementaldecoder(encoding)("replace")
    pending = ""
    while chunk := binary.read(BLOCK_BYTES):
        pending += decoder.decode(chunk)
        used = 0
        for match in _LINE.finditer(pending):
            if match.end() == len(pending) and pending.endswith("\r"):
                break  # a CR LF pair may be split over two chunks
            yield match.group()
            used = match.end()
        pending = pending[used:]
    pending += decoder.decode(b"", final=True)
    used = 0
    for match in _LINE.finditer(pending):
        yield match.group()
        used = match.end()
    if pending[used:]:
        yield pending[used:]
