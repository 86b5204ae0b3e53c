"""Rows the real ingest rejects, planted in a few demo core-banking files so the rejects pages have content.

Each planted row is an extra line appended to a file the generator wrote (a real row copied and spoiled
in one field), so the rest of the file, and every other file, loads exactly as before.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bankcrm.demo.core_banking import COLUMNS, CoreFile

NOT_ON_FILE = "6217000000000000"  # no demo account starts 6217: a card the core opened after the last accounts file


@dataclass(frozen=True)
class Planted:
    """One bad row: which file (its type, and the how-many-th newest of that type), the field at fault, why."""

    file_type: str
    newest: int  # 1: the newest file of the type, 2: the one before, ...
    field: str  # the field the ingest names in the reject
    why: str
    spoil: Callable[[dict[str, str], int], None]  # turns a copy of a real row (and a sequence number) bad


def _renumber(key: str) -> Callable[[dict[str, str], int], None]:
    """A new, never-delivered key (the copy must not update the real row)."""

    def spoil(row: dict[str, str], n: int) -> None:
        row[key] = f"{row[key][:-6]}R{n:05d}"

    return spoil


def _spoiled(key: str, field: str, value: Callable[[dict[str, str]], str]) -> Callable[[dict[str, str], int], None]:
    def spoil(row: dict[str, str], n: int) -> None:
        _renumber(key)(row, n)
        row[field] = value(row)

    return spoil


def _unknown_account(row: dict[str, str], n: int) -> None:
    row["account_no"] = f"{NOT_ON_FILE}{n:03d}"
    if "voucher_no" in row:
        _renumber("voucher_no")(row, n)


PLANTED = (
    Planted(
        "accounts",
        2,
        "cif_no",
        "an account the core opened for a customer not yet entered in the CRM",
        _spoiled("account_no", "cif_no", lambda row: "99999999901"),
    ),
    Planted(
        "accounts",
        2,
        "open_date",
        "an open date keyed as 30 February",
        _spoiled("account_no", "open_date", lambda row: row["open_date"][:4] + "-02-30"),
    ),
    Planted(
        "accounts",
        4,
        "product_code",
        "an 18-month deposit the core launched before the CRM's product catalogue had it",
        _spoiled("account_no", "product_code", lambda row: "TD-18M"),
    ),
    Planted(
        "loans",
        1,
        "amount",
        "a contract amount with three decimals",
        _spoiled("contract_no", "amount", lambda row: row["amount"] + "5"),
    ),
    Planted(
        "transactions",
        1,
        "account_no",
        "a voucher on a card opened today, which no accounts file has delivered yet",
        _unknown_account,
    ),
    Planted(
        "transactions",
        1,
        "amount",
        "a voucher amount with three decimals",
        _spoiled("voucher_no", "amount", lambda row: row["amount"] + "9"),
    ),
    Planted("balances", 3, "account_no", "a balance of a card no accounts file has delivered", _unknown_account),
)


def target(files: list[CoreFile], planted: Planted) -> CoreFile:
    """The file a planted row goes into."""
    of_type = sorted((f for f in files if f.file_type == planted.file_type), key=lambda f: f.business_date)
    return of_type[-planted.newest]


def plant(files: list[CoreFile]) -> dict[Path, int]:
    """Append the planted rows to their files; how many went into each file."""
    counts: dict[Path, int] = {}
    for n, planted in enumerate(PLANTED, start=1):
        path = target(files, planted).path
        columns = COLUMNS[planted.file_type].split()
        with path.open(encoding="utf-8", newline="") as f:
            template = next(row for row in csv.DictReader(f) if all(row[c] for c in columns[:3]))
        row = dict(template)
        planted.spoil(row, n)
        with path.open("a", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerow([row[c] for c in columns])
        counts[path] = counts.get(path, 0) + 1
    return counts
