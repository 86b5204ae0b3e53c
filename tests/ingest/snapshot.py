"""Table contents by natural keys (row ids differ after a killed transaction consumed sequence values)."""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

QUERIES = {
    "account": "SELECT a.account_no_index, c.cif_no, a.product_code, a.status, a.open_date, a.maturity_date,"
    " a.balance, a.balance_date, b.source, b.business_date FROM account a JOIN customer c ON c.id = a.customer_id"
    " JOIN ingest_batch b ON b.id = a.batch_id ORDER BY 1",
    "loan_contract": "SELECT l.contract_no_index, c.cif_no, l.outstanding, l.classification FROM loan_contract l"
    " JOIN customer c ON c.id = l.customer_id ORDER BY 1",
    "balance_snapshot": "SELECT a.account_no_index, s.balance_date, s.balance FROM balance_snapshot s"
    " JOIN account a ON a.id = s.account_id ORDER BY 1, 2",
    "account_transaction": "SELECT b.source, b.business_date, t.voucher_no, a.account_no_index, t.txn_time, t.amount,"
    " t.direction, t.channel, t.counterparty_name, t.summary FROM account_transaction t"
    " JOIN ingest_batch b ON b.id = t.batch_id JOIN account a ON a.id = t.account_id ORDER BY 1, 2, 3",
    "ingest_batch": "SELECT source, file_type, business_date, checksum FROM ingest_batch ORDER BY 1, 2, 3",
    "ingest_run": "SELECT b.source, b.file_type, r.file_name, r.replaced, r.rows_in, r.rows_loaded, r.rows_rejected"
    " FROM ingest_run r JOIN ingest_batch b ON b.id = r.batch_id ORDER BY 1, 2, 3, 4",
    "ingest_reject": "SELECT line_no, field, reason, params, raw FROM ingest_reject ORDER BY 1",
    "customer_figure_dirty": "SELECT c.cif_no FROM customer_figure_dirty d JOIN customer c ON c.id = d.customer_id"
    " ORDER BY 1",
    "audit_event": "SELECT action, entity_type, detail FROM audit_event ORDER BY seq",
    # Undo records by natural key; whether each marks a created row (its JSON holds load times).
    "ingest_prior_row": "SELECT b.source, b.file_type, b.business_date, p.table_name,"
    " coalesce(a.account_no_index, l.contract_no_index), p.prior IS NULL FROM ingest_prior_row p"
    " JOIN ingest_batch b ON b.id = p.batch_id"
    " LEFT JOIN account a ON p.table_name = 'account' AND a.id = p.row_id"
    " LEFT JOIN loan_contract l ON p.table_name = 'loan_contract' AND l.id = p.row_id ORDER BY 1, 2, 3, 4, 5",
}


def table_checksums(db: Session | Connection) -> dict[str, str]:
    """SHA-256 of each holdings and ingest table's rows, read by natural key."""
    out = {}
    for table, sql in QUERIES.items():
        rows = db.execute(text(sql)).all()
        out[table] = (
            hashlib.sha256(repr([tuple(map(str, r)) for r in rows]).encode()).hexdigest()[:16] + f":{len(rows)}"
        )
    return out
