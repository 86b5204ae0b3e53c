"""CSV and XLSX files from rows, for list exports."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime

import xlsxwriter

# Excel opens UTF-8 CSV correctly only with a byte-order mark; Chinese names depend on it.
CSV_BOM = "\ufeff"


# A text starting with one of these is read by spreadsheets as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """A cell value safe for a spreadsheet: a formula-like text gets a leading quote; times as text."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and value not in ("-", "+"):
        return "'" + value  # a lone sign (a placeholder) is text to every spreadsheet
    return value


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 CSV with a BOM and a header row."""
    buf = io.StringIO()
    buf.write(CSV_BOM)
    writer = csv.writer(buf)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return buf.getvalue().encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[object]], sheet: str = "export") -> bytes:
    """One worksheet with a bold, frozen header row."""
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, headers, bold)
    ws.freeze_panes(1, 0)
    for r, row in enumerate(rows, start=1):
        ws.write_row(r, 0, ["" if v is None else neutralise(v) for v in row])
    book.close()
    return buf.getvalue()
