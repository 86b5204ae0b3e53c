"""Demo core-banking files written out: month-end accounts and loans, the vouchers between, weekly balances."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from bankcrm.demo.core_banking import (
    _RANK,
    COLUMNS,
    MONTHS,
    CoreFile,
    DemoCustomer,
    _add_months,
    _Bank,
    _classify,
    _iso,
    _month_end,
    _yuan,
)


def _csv(path: Path, file_type: str, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS[file_type].split())
        writer.writerows(rows)


def write_files(
    customers: list[DemoCustomer], out_dir: Path, today: date, seed: int = 20261123, months: int = MONTHS
) -> list[CoreFile]:
    """Write ``months`` months of core-banking files for these customers, oldest first, in load order."""
    end = today - timedelta(days=1)
    start = _add_months(end, -months)
    dates = [_month_end(start + timedelta(days=1))]  # the first month-end after start
    while (nxt := _month_end(dates[-1] + timedelta(days=1))) <= end:
        dates.append(nxt)
    dates += [] if dates[-1] == end else [end]
    first = max(start, dates[0].replace(day=1))  # vouchers begin inside the first file's month
    bank = _Bank(seed, first, end)
    for c in customers:
        bank.customer(c)
    bank.stage(today)
    vouchers = sorted(bank.post_all(), key=lambda p: p[1].at)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[CoreFile] = []

    def emit(file_type: str, d: date, rows: list[list[str]]) -> None:
        path = out_dir / f"{file_type}-{d.isoformat()}.csv"
        _csv(path, file_type, rows)
        files.append(CoreFile(path, file_type, d))

    prev, seq = first - timedelta(days=1), 0
    for d in dates:  # month-end snapshots: what is open, plus what closed since the previous file
        rows: list[list[str]] = []
        for a in (a for a in bank.accounts if a.open <= d and (a.close is None or a.close > prev)):
            closed = a.close is not None and a.close <= d
            status = "CLOSED" if closed else "DORMANT" if a.dormant else "ACTIVE"
            # A renewed deposit's open date is that of the term it is in (the core's value date), as its maturity is.
            head = [a.no, a.cif, a.product, a.branch, a.currency, status, a.term_start(d).isoformat()]
            rate = _yuan(a.rate) if a.rate else ""
            tail = [_iso(a.close if closed else None), rate, _iso(a.maturity(d)), a.auto_renew]
            rows.append([*head, *tail, _yuan(a.balance(d, first))])
        emit("accounts", d, rows)
        rows = []
        for ln in (ln for ln in bank.loans if ln.start <= d and (ln.overdue_since or ln.maturity > prev)):
            out, late = ln.remaining(ln.paid(d)), ln.days_overdue(d)
            head = [ln.no, ln.cif, ln.product, ln.branch, "CNY", "ACTIVE" if out or late else "SETTLED"]
            money = [_yuan(ln.amount), _yuan(ln.drawn), _yuan(out), _yuan(ln.rate), str(ln.term)]
            tail = [ln.start.isoformat(), ln.maturity.isoformat(), ln.method, ln.guarantee, _classify(late)]
            rows.append([*head, *money, *tail, str(late)])
        emit("loans", d, rows)
        rows = []
        for no, t in (p for p in vouchers if prev < p[1].at.date() <= d):
            seq += 1
            head = [f"V{t.at:%Y%m%d}{seq:08d}", no, f"{t.at:%Y-%m-%d %H:%M:%S}", _yuan(t.amount), t.direction]
            rows.append([*head, t.channel, t.name, t.bank, t.purpose, t.summary])
        emit("transactions", d, rows)
        prev = d
    # Weekly balances, from the first accounts file on: only accounts an accounts file has already delivered;
    # and on each month's first day, so a month's average sees a move made on its first day from that day.
    fridays = [dates[0] + timedelta(days=(4 - dates[0].weekday()) % 7 + 7 * w) for w in range(bank.weeks)]
    firsts = [d + timedelta(days=1) for d in dates]
    for d in sorted({f for f in fridays + firsts if f < end} | {end}):
        known = max(x for x in dates if x <= d)
        live = (a for a in bank.accounts if a.open <= known and (a.close is None or a.close > d))
        emit("balances", d, [[a.no, _yuan(a.balance(d, first))] for a in live])
    files.sort(key=lambda f: (f.business_date, _RANK[f.file_type]))
    return files
