"""A hand-built customer over four months of core-banking files, for the snapshot tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from tests.factories import make_customer
from tests.holdings.helpers import account, load, loan, voucher, write_file

CIF = "90000000011"
DD_NO, TD_NO = "6222000000000001", "6222000000000002"
DD = DD_NO
AS_OF = date(2026, 10, 30)


def given_the_hand_built_customer(db: Session, settings: Settings, tmp: Path, cif_no: str = CIF, n: int = 0) -> int:
    """Demand account opened 2026-07-15, a one-year time deposit from 2026-08-10, a loan from 2026-08-20,
    weekly-ish balances and five vouchers; files loaded in business-date order."""
    customer = make_customer(db, cif_no)
    tmp = tmp / str(n)
    tmp.mkdir()
    DD, TD = _no(DD_NO, n), _no(TD_NO, n)
    dd = account(DD, cif_no, open_date="2026-07-15", balance="1000.00")
    td = account(
        TD,
        cif_no,
        product_code="TD-1Y",
        open_date="2026-08-10",
        maturity_date="2027-08-10",
        auto_renew="N",
        rate="1.50",
        balance="50000.00",
    )

    def files(day: date, kind: str, rows: list[dict[str, str]]) -> None:
        load(db, settings, write_file(tmp / f"{kind}-{day}.csv", kind, rows), kind, day)

    files(date(2026, 7, 31), "accounts", [dd])
    files(date(2026, 7, 31), "balances", [{"account_no": DD, "balance": "1000.00"}])
    files(date(2026, 8, 14), "accounts", [dd | {"balance": "2000.00"}, td])
    files(
        date(2026, 8, 14),
        "balances",
        [{"account_no": DD, "balance": "2000.00"}, {"account_no": TD, "balance": "50000.00"}],
    )
    files(
        date(2026, 9, 30),
        "transactions",
        [
            voucher(f"V1-{n}", DD, txn_time="2026-09-10 09:15:00"),  # salary 8,500.00 by BATCH from 招商银行
            voucher(
                f"V2-{n}",
                DD,
                txn_time="2026-09-30 23:30:00",
                amount="1200.00",
                direction="D",
                channel="MOBILE",
                purpose_code="TRANSFER",
                counterparty_bank="招商银行",
            ),
            voucher(
                f"V3-{n}",
                DD,
                txn_time="2026-09-12 10:00:00",
                amount="99.00",
                direction="D",
                channel="POS",
                purpose_code="CONSUME",
                counterparty_bank="",
            ),
        ],
    )
    files(
        date(2026, 9, 30),
        "balances",
        [{"account_no": DD, "balance": "500.00"}, {"account_no": TD, "balance": "50000.00"}],
    )
    files(
        date(2026, 10, 30),
        "transactions",
        [
            voucher(
                f"V4-{n}",
                DD,
                txn_time="2026-10-02 08:00:00",
                amount="300.00",
                direction="D",
                channel="POS",
                purpose_code="CONSUME",
                counterparty_bank="",
            ),
        ],
    )
    files(date(2026, 10, 30), "loans", [loan(_no("PL0000000000000001", n), cif_no, start_date="2026-08-20")])
    return customer.id


def _no(number: str, n: int) -> str:
    return number[: -len(str(n)) - 1] + str(n) + number[-1] if n else number


def snapshot_row(customer_id: int, unit_id: int, month: date, kind: str, tier: str, aum_end: int, aum_avg: int) -> Any:
    """A customer's snapshot row of a month holding only a tier and AUM (every other figure 0), as a given."""
    from bankcrm.models.insight import CustomerMonth

    given = {"month", "customer_id", "as_of", "kind", "unit_id", "tier", "computed_at"}
    zero = {c.name: 0 for c in CustomerMonth.__table__.columns if not c.nullable and c.name not in given}
    figures = zero | {"kind": kind, "unit_id": unit_id, "tier": tier, "aum_end": aum_end, "aum_avg": aum_avg}
    return CustomerMonth(month=month, customer_id=customer_id, as_of=month, **figures)
