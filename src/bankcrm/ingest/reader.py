"""Read a delivered CSV file in chunks of whole lines: decode it, parse it with Polars, number the lines."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from bankcrm.kit.i18n import N_

LINE = "_line"
EXTRA = "__extra__"
CHUNK_BYTES = 32 * 1024 * 1024
# GB 18030 is a superset of GBK: a file declared GBK that uses a few newer characters still reads.
CODECS = {"utf-8": "utf-8", "gbk": "gb18030"}


class FileRefused(Exception):
    """The file as a whole cannot be read (no header, bad header, records spanning lines)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass
class BadLine:
    """A line that could not be decoded in the declared encoding."""

    line: int
    raw: str


@dataclass
class Chunk:
    """Parsed lines: every column as text plus the line number; lines that failed to decode."""

    frame: pl.DataFrame
    bad_lines: list[BadLine] = field(default_factory=list)
    size_bytes: int = 0
    lines: int = 0


def checksum(path: Path) -> str:
    """SHA-256 of the file as delivered."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_header(fh: BinaryIO, encoding: str) -> list[str]:
    """The column names of the first line (a UTF-8 byte-order mark is dropped)."""
    return _header(fh.readline(), encoding)


def _header(first: bytes, encoding: str) -> list[str]:
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    try:
        text = first.decode(CODECS[encoding]).strip("\r\n")
    except UnicodeDecodeError:
        raise FileRefused(N_("The header line is not valid %(encoding)s."), encoding=encoding) from None
    if not text.strip():
        raise FileRefused(N_("The file has no header line."))
    names = [n.strip() for n in next(csv.reader([text]))]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise FileRefused(N_("The header names a column twice: %(columns)s."), columns=", ".join(duplicates))
    if "" in names or EXTRA in names or LINE in names:
        raise FileRefused(N_("The header has an empty or reserved column name."))
    return names


def chunks(
    path: Path, encoding: str, chunk_bytes: int = CHUNK_BYTES, digest: Any = None
) -> Iterator[tuple[list[str], Chunk]]:
    """The header, then parsed chunks of whole lines, numbered as in the file (header = line 1).

    ``digest`` (a hashlib object), when given, is fed every byte of the file as it is read.
    """
    feed = digest.update if digest is not None else (lambda _: None)
    with path.open("rb") as fh:
        first = fh.readline()
        feed(first)
        header = _header(first, encoding)
        head = io.StringIO()
        csv.writer(head, lineterminator="\n").writerow([*header, EXTRA])
        head_bytes = head.getvalue().encode("utf-8")
        next_line = 2
        rest = b""
        while True:
            data = fh.read(chunk_bytes)
            feed(data)
            if data:
                cut = data.rfind(b"\n") + 1
                if not cut:  # no line end in this read: keep the partial line for the next one
                    rest += data
                    continue
                # One copy: Polars' header line, the carried partial line, this read up to its last line end.
                buffer = b"".join((head_bytes, rest, memoryview(data)[:cut]))
                rest = data[cut:]
            else:
                tail = rest.rstrip(b"\r\n")
                buffer = head_bytes + tail + b"\n" if rest.strip(b"\r\n") else b""
            if buffer:
                chunk = _parse(buffer, len(head_bytes), encoding, next_line)
                next_line += chunk.lines
                yield header, chunk
            if not data:
                return


def _parse(buffer: bytes, start: int, encoding: str, first_line: int) -> Chunk:
    """Polars' header line, then (from ``start``) a block of complete lines → text columns plus line numbers."""
    size = len(buffer) - start
    if b"\r" in buffer:
        buffer = buffer.replace(b"\r\n", b"\n")
    lines = buffer.count(b"\n") - 1
    bad: list[BadLine] = []
    frame = None
    if encoding == "utf-8":
        # Polars checks UTF-8 as it parses: only a block it refuses is decoded line by line in Python.
        with suppress(pl.exceptions.ComputeError):
            frame = _read(buffer)
    if frame is None:
        block, bad = _decode(buffer[start:], encoding, first_line)
        buffer = buffer[:start] + block
        frame = _read(buffer)
    if frame.height != lines:
        # A quoted field held a line break: rows no longer match lines, so reject line numbers would lie.
        raise FileRefused(N_("A quoted field holds a line break; one record per line is required."))
    frame = frame.with_columns(pl.int_range(first_line, first_line + lines, dtype=pl.Int64).alias(LINE))
    # A blank line reads as a row of nulls: only then is the block searched for blank lines.
    maybe_blank = frame.select(pl.all_horizontal(pl.exclude(LINE).is_null()).any()).item()
    skip = (_blank_lines(buffer[start:], first_line) if maybe_blank else set()) | {b.line for b in bad}
    if skip:
        frame = frame.filter(~pl.col(LINE).is_in(sorted(skip)))
    return Chunk(frame=frame, bad_lines=bad, size_bytes=size, lines=lines)


def _read(data: bytes) -> pl.DataFrame:
    """Every column as text (no type guessing); short lines padded, long ones keep one extra field."""
    return pl.read_csv(data, infer_schema=False, truncate_ragged_lines=True, raise_if_empty=False)


def _blank_lines(block: bytes, first_line: int) -> set[int]:
    """Line numbers of empty lines (skipped: they are not rows); rare, so a find loop is cheap."""
    found = {first_line} if block.startswith(b"\n") else set()
    at = block.find(b"\n\n")
    while at != -1:
        found.add(first_line + block.count(b"\n", 0, at) + 1)
        at = block.find(b"\n\n", at + 1)
    return found


def _decode(block: bytes, encoding: str, first_line: int) -> tuple[bytes, list[BadLine]]:
    """UTF-8 bytes for Polars; a line that does not decode is blanked (kept, so numbering holds) and reported."""
    codec = CODECS[encoding]
    bad: list[BadLine] = []
    while True:
        try:
            text = block.decode(codec)
            break
        except UnicodeDecodeError as exc:
            start = block.rfind(b"\n", 0, exc.start) + 1
            end = block.find(b"\n", exc.start)
            line = first_line + block.count(b"\n", 0, start)
            bad.append(BadLine(line, block[start:end].decode(codec, "replace")))
            block = block[:start] + block[end:]
    if codec == "utf-8":
        return block, bad
    return text.encode("utf-8"), bad
