"""A customer's vouchers through the list component: sort by amount with the voucher number as tie-breaker, export."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.config import Settings
from bankcrm.models.audit import AuditEvent
from bankcrm.models.holding import AccountTransaction
from tests.conftest import signed_in, token_for
from tests.holdings.helpers import given_an_account, load, voucher, write_file

CIF = "90000000011"
ACCOUNT = "6222000000000001"


def _vouchers(db: Session, settings: Settings, tmp_path: Path) -> None:
    """V1 8,500 in (batch, 09:15), V2 35.50 out (POS, 12:00), V3 8,500 out (counter, 10:00), one day."""
    given_an_account(db, settings, tmp_path, ACCOUNT, CIF)
    rows = [
        voucher("V1", ACCOUNT),
        voucher("V2", ACCOUNT, txn_time="2026-10-30 12:00:00", amount="35.50", direction="D", channel="POS",
                counterparty_name="=HYPERLINK(1)", counterparty_bank="", purpose_code="", summary="超市"),
        voucher("V3", ACCOUNT, txn_time="2026-10-30 10:00:00", direction="D", channel="COUNTER",
                counterparty_name="", counterparty_bank="", purpose_code="", summary="取现"),
    ]  # fmt: skip
    result = load(db, settings, write_file(tmp_path / "t.csv", "transactions", rows), "transactions")
    assert result.rejects == []
    db.commit()


def _vouchers_shown(html: str) -> list[str]:
    return re.findall(r'<tr data-voucher="(V\d)">', html)


def test_sorting_by_amount_breaks_ties_by_voucher_number(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    _vouchers(db, settings, tmp_path)
    page = signed_in(client, "am1")
    url = f"/customers/{CIF}/360/transactions"
    assert _vouchers_shown(page.get(url).text) == ["V2", "V3", "V1"]  # newest first, as before
    assert _vouchers_shown(page.get(f"{url}?sort=-amount").text) == ["V1", "V3", "V2"]
    assert _vouchers_shown(page.get(f"{url}?sort=amount").text) == ["V2", "V1", "V3"]
    api = client.get(f"/api/v1/customers/{CIF}/transactions?sort=channel", headers=token_for(client, "am1")).json()
    assert [t["voucher_no"] for t in api["items"]] == ["V1", "V3", "V2"]  # BATCH, COUNTER, POS
    assert (api["total"], api["pages"]) == (3, 1)
    bad = client.get(f"/api/v1/customers/{CIF}/transactions?sort=account_no", headers=token_for(client, "am1"))
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "sort")


def test_the_header_fetches_the_partial_and_the_export_is_exact(
    client: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    _vouchers(db, settings, tmp_path)
    page = signed_in(client, "am1")
    html = page.get(f"/customers/{CIF}/360/transactions?channel=COUNTER&sort=-amount").text
    base = f"/customers/{CIF}/360/transactions"
    assert f'hx-get="{base}?channel=COUNTER&amp;sort=amount" hx-target="#transactions"' in html
    assert f'href="{base}/export.csv?channel=COUNTER&amp;sort=-amount"' in html
    response = page.get(f"{base}/export.csv?sort=-amount")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    times = {t.voucher_no: t.txn_time.strftime("%Y-%m-%d %H:%M:%S") for t in db.scalars(select(AccountTransaction))}
    masked = "*" * 12 + "0001"
    assert rows == [
        ["Voucher no.", "Time", "Account no.", "Direction", "Amount (yuan)", "Channel", "Counterparty",
         "Counterparty bank", "Purpose", "Summary"],
        ["V1", times["V1"], masked, "C", "8500.00", "BATCH", "北京星河科技有限公司", "招商银行", "SALARY", "工资"],
        ["V3", times["V3"], masked, "D", "8500.00", "COUNTER", "", "", "", "取现"],
        ["V2", times["V2"], masked, "D", "35.50", "POS", "'=HYPERLINK(1)", "", "", "超市"],
    ]  # fmt: skip
    last = db.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    assert (last.action, last.actor_username, last.detail) == (
        "transaction.export",
        "am1",
        f"3 rows; customer={CIF} filters {{}}; sort=-amount",
    )
    assert page.get(f"{base}/export.csv?min_amount=1.234").status_code == 422
