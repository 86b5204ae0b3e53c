"""Read a delivered CSV file in chunks of whole lines: decode it, parse it with Polars, number the lines."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import polars as pl

from bankcrm.kit.i18n import N_

LINE = "_line"
EXTRA = "__extra__"
CHUNK_BYTES = 32 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024  # settings.ingest_max_line_bytes' default: far above any valid row
# GB 18030 is a superset of GBK: a file declared GBK that uses a few newer characters still reads.
CODECS = {"utf-8": "utf-8", "gbk": "gb18030"}


class FileRefused(Exception):
    """The file as a whole cannot be read (no header, bad header, records spanning lines)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


NOT_ENCODED = N_("The line is not valid %(encoding)s.")
TOO_LONG = N_("The line is longer than %(max)s bytes.")
HAS_NUL = N_("The line holds a NUL character.")
BAD_QUOTES = N_("The line is not valid CSV: a quote stands inside a field or after a closing quote.")
UNCLOSED = N_("A quoted field opened on line %(line)s does not close on that line; one record per line is required.")


@dataclass
class BadLine:
    """A line rejected as a whole before parsing (encoding, length, NUL, quoting), with its text as delivered."""

    line: int
    raw: str
    reason: str = NOT_ENCODED
    params: dict[str, object] = field(default_factory=dict)


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


def read_header(fh: BinaryIO, encoding: str, max_line: int = MAX_LINE_BYTES) -> list[str]:
    """The column names of the first line (a UTF-8 byte-order mark is dropped)."""
    return _header(fh.readline(max_line + 2), encoding, max_line)


def _header(first: bytes, encoding: str, max_line: int) -> list[str]:
    if len(first.rstrip(b"\r\n")) > max_line:
        raise FileRefused(N_("The header line is longer than %(max)s bytes."), max=max_line)
    if b"\x00" in first:
        raise FileRefused(N_("The header line holds a NUL character."))
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
    path: Path,
    encoding: str,
    chunk_bytes: int = CHUNK_BYTES,
    digest: Any = None,
    max_line: int = MAX_LINE_BYTES,
) -> Iterator[tuple[list[str], Chunk]]:
    """The header, then parsed chunks of whole lines, numbered as in the file (header = line 1).

    ``digest`` (a hashlib object), when given, is fed every byte of the file as it is read. A line
    longer than ``max_line`` bytes is rejected as a whole; its bytes are never held beyond that.
    """
    feed = digest.update if digest is not None else (lambda _: None)
    with path.open("rb") as fh:
        first = fh.readline(max_line + 2)
        feed(first)
        header = _header(first, encoding, max_line)
        head = io.StringIO()
        csv.writer(head, lineterminator="\n").writerow([*header, EXTRA])
        head_bytes = head.getvalue().encode("utf-8")
        next_line = 2
        rest = b""  # lines not parsed yet: empty stand-ins for dropped lines, then a partial line
        skipping = False  # inside a line too long to keep: its bytes are dropped up to its end
        dropped: list[BadLine] = []
        while True:
            data = fh.read(chunk_bytes)
            feed(data)
            if skipping and data:
                end = data.find(b"\n")
                if end == -1:
                    continue
                data = data[end + 1 :]
                rest += b"\n"  # the dropped line stays as an empty line, so numbering holds
                skipping = False
            if data:
                cut = data.rfind(b"\n") + 1
                if not cut:  # no line end in this read: keep the partial line for the next one
                    rest += data
                    partial = rest.rfind(b"\n") + 1
                    if len(rest) - partial > max_line:
                        line = next_line + rest.count(b"\n")
                        dropped.append(_too_long(rest[partial : partial + max_line], line, encoding, max_line))
                        rest = rest[:partial]
                        skipping = True
                    continue
                # One copy: Polars' header line, the carried partial line, this read up to its last line end.
                buffer = b"".join((head_bytes, rest, memoryview(data)[:cut]))
                rest = data[cut:]
            else:
                if skipping:  # the file ended inside the long line
                    rest += b"\n"
                if rest.endswith(b"\n"):
                    buffer = head_bytes + rest
                elif rest.rstrip(b"\r"):
                    buffer = head_bytes + rest.rstrip(b"\r") + b"\n"
                else:
                    buffer = b""
            if buffer:
                chunk = _parse(buffer, len(head_bytes), encoding, next_line, max_line, dropped)
                dropped = []
                next_line += chunk.lines
                yield header, chunk
            if not data:
                return


def _parse(buffer: bytes, start: int, encoding: str, first_line: int, max_line: int, dropped: list[BadLine]) -> Chunk:
    """Polars' header line, then (from ``start``) a block of complete lines → text columns plus line numbers.

    Lines that cannot be a row (too long, a NUL, not decodable, quotes Polars refuses) are blanked, so
    numbering holds, and reported; ``dropped`` are lines the caller already blanked.
    """
    size = len(buffer) - start
    if b"\r" in buffer:
        buffer = buffer.replace(b"\r\n", b"\n")
    lines = buffer.count(b"\n") - 1
    bad = list(dropped)
    frame = None
    # Cheap scans first (a window search per max_line bytes, one memchr for NUL); the usual block
    # has neither, and is parsed as it is, without a copy.
    long_lines = _long_lines(buffer, start, max_line)
    clean = not long_lines and buffer.find(b"\x00", start) == -1
    if clean and encoding == "utf-8":
        # Polars checks UTF-8 as it parses: only a block it refuses is decoded line by line in Python.
        frame = _try_read(buffer)
    if frame is not None and frame.height == lines:
        block = None
    else:
        frame, block, found = _parse_lines(buffer[:start], buffer[start:], encoding, first_line, max_line, long_lines)
        bad += found
    frame = frame.with_columns(pl.int_range(first_line, first_line + lines, dtype=pl.Int64).alias(LINE))
    # A blank line reads as a row of nulls: only then is the block searched for blank lines.
    maybe_blank = frame.select(pl.all_horizontal(pl.exclude(LINE).is_null()).any()).item()
    blank = _blank_lines(buffer[start:] if block is None else block, first_line) if maybe_blank else set()
    skip = blank | {b.line for b in bad}
    if skip:
        frame = frame.filter(~pl.col(LINE).is_in(sorted(skip)))
    bad.sort(key=lambda b: b.line)
    return Chunk(frame=frame, bad_lines=bad, size_bytes=size, lines=lines)


def _parse_lines(
    head: bytes, block: bytes, encoding: str, first_line: int, max_line: int, long_lines: list[tuple[int, int]]
) -> tuple[pl.DataFrame, bytes, list[BadLine]]:
    """The slow path: blank the lines that cannot be rows, one kind after another, then parse the rest."""
    lines = block.count(b"\n")
    bad: list[BadLine] = []
    if long_lines:
        block, found = _blank(block, long_lines, first_line, encoding, max_line, TOO_LONG, {"max": max_line})
        bad += found
    if b"\x00" in block:
        block, found = _blank(block, _nul_lines(block), first_line, encoding, max_line, HAS_NUL, {})
        bad += found
    block, undecodable = _decode(block, encoding, first_line)
    bad += undecodable
    frame = _try_read(head + block)
    if frame is None or frame.height != lines:
        # Quoting Polars refuses: a quote left open breaks the one-record-per-line rule (the file is
        # refused, as for a quoted line break); a quote out of place spoils only its own line.
        block, misquoted = _misquoted(head, block, first_line)
        bad += misquoted
        frame = _try_read(head + block)
        if frame is None or frame.height != lines:
            raise FileRefused(N_("The file is not valid CSV near line %(line)s."), line=first_line)
    return frame, block, bad


def _too_long(prefix: bytes, line: int, encoding: str, max_line: int) -> BadLine:
    return BadLine(line, _text(prefix, encoding), TOO_LONG, {"max": max_line})


def _text(raw: bytes, encoding: str) -> str:
    """A rejected line's bytes as text for the reject record (undecodable bytes and NUL replaced)."""
    return raw.decode(CODECS[encoding], "replace").replace("\x00", "\ufffd")


def _long_lines(buffer: bytes, start: int, max_line: int) -> list[tuple[int, int]]:
    """(start, end) from ``start`` of lines longer than ``max_line`` bytes: one search per window of that size."""
    spans = []
    pos = start
    while len(buffer) - pos - 1 > max_line:
        # The last line end within max_line + 1 bytes: every line up to it is short enough.
        at = buffer.rfind(b"\n", pos, pos + max_line + 1)
        if at == -1:
            at = buffer.find(b"\n", pos)
            spans.append((pos - start, at - start))
        pos = at + 1
    return spans


def _nul_lines(block: bytes) -> list[tuple[int, int]]:
    """(start, end) of lines holding a NUL byte (which PostgreSQL cannot store in text)."""
    spans = []
    at = block.find(b"\x00")
    while at != -1:
        begin = block.rfind(b"\n", 0, at) + 1
        end = block.find(b"\n", at)
        spans.append((begin, end))
        at = block.find(b"\x00", end)
    return spans


def _blank(
    block: bytes,
    spans: list[tuple[int, int]],
    first_line: int,
    encoding: str,
    max_line: int,
    reason: str,
    params: dict[str, object],
) -> tuple[bytes, list[BadLine]]:
    """The block with these lines emptied (their line ends kept), and each as a rejected line."""
    bad = []
    parts = []
    pos = 0
    line = first_line
    for begin, end in spans:
        line += block.count(b"\n", pos, begin)
        bad.append(BadLine(line, _text(block[begin : begin + max_line], encoding), reason, params))
        parts.append(block[pos:begin])
        pos = end
    parts.append(block[pos:])
    return b"".join(parts), bad


def _misquoted(head: bytes, block: bytes, first_line: int) -> tuple[bytes, list[BadLine]]:
    """Lines whose quoting Polars refuses, found by halving; refused (the file) if a quote stays open."""
    lines = block.split(b"\n")[:-1]
    for i, text in enumerate(lines):
        if text.count(b'"') % 2:
            raise FileRefused(UNCLOSED, line=first_line + i)

    def refused(lo: int, hi: int) -> list[int]:
        frame = _try_read(head + b"\n".join(lines[lo:hi]) + b"\n")
        if frame is not None and frame.height == hi - lo:
            return []
        if hi - lo == 1:
            return [lo]
        mid = (lo + hi) // 2
        return refused(lo, mid) + refused(mid, hi)

    found = refused(0, len(lines)) if lines else []
    bad = [BadLine(first_line + i, lines[i].decode("utf-8", "replace"), BAD_QUOTES) for i in found]
    for i in found:
        lines[i] = b""
    return b"\n".join(lines) + b"\n", bad


def _try_read(data: bytes) -> pl.DataFrame | None:
    """The parsed block, or None when Polars refuses it (invalid UTF-8 or quoting)."""
    try:
        return _read(data)
    except pl.exceptions.ComputeError:
        return None


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
            bad.append(BadLine(line, _text(block[start:end], encoding), NOT_ENCODED, {"encoding": encoding}))
            block = block[:start] + block[end:]
    if codec == "utf-8":
        return block, bad
    return text.encode("utf-8"), bad
