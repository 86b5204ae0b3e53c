"""Ingest lookups: code tables, units, products, currencies, and the customers, accounts, loans and links on file."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bankcrm.ingest.repository.chunks import _chunks
from bankcrm.models.customer import CodeItem, Customer
from bankcrm.models.holding import Account, AccountParty, BalanceSnapshot, Currency, LoanContract, Product
from bankcrm.models.ingest import IngestBatch
from bankcrm.models.matching import CustomerAlias
from bankcrm.models.org import OrgUnit
from bankcrm.models.relationship import CustomerLink
from bankcrm.models.tag import CustomerTag, Tag


def code_sets(db: Session) -> dict[str, frozenset[str]]:
    """Every code table as a set, plus products, currencies (active or not) and org unit codes."""
    tables: dict[str, set[str]] = {}
    for category, code in db.execute(select(CodeItem.category, CodeItem.code)):
        tables.setdefault(category, set()).add(code)
    tables["product"] = set(db.scalars(select(Product.code)))
    tables["currency"] = set(db.scalars(select(Currency.code)))
    tables["org_unit"] = set(db.scalars(select(OrgUnit.code)))
    tables["direction"] = {"D", "C"}
    tables["tag_action"] = {"add", "remove"}
    return {k: frozenset(v) for k, v in tables.items()}


def unit_ids(db: Session) -> dict[str, int]:
    """Org unit id by code."""
    return {code: uid for code, uid in db.execute(select(OrgUnit.code, OrgUnit.id))}


def product_categories(db: Session) -> dict[str, str]:
    """Product category by product code."""
    return {code: cat for code, cat in db.execute(select(Product.code, Product.category))}


def overdraft_products(db: Session) -> frozenset[str]:
    """Codes of the products whose accounts may have a negative balance."""
    return frozenset(db.scalars(select(Product.code).where(Product.allows_overdraft)))


def currencies(db: Session) -> dict[str, tuple[int, bool]]:
    """(minor units, active) by currency code."""
    return {
        c: (digits, active)
        for c, digits, active in db.execute(select(Currency.code, Currency.minor_units, Currency.active))
    }


def customer_ids(db: Session, cif_nos: list[str]) -> pl.DataFrame:
    """(cif_no, _customer_id) for the CIF numbers on file."""
    rows: list[tuple[str, int]] = []
    for part in _chunks(cif_nos):
        rows.extend(db.execute(select(Customer.cif_no, Customer.id).where(Customer.cif_no.in_(part))))
    return pl.DataFrame(rows, schema={"cif_no": pl.String, "_customer_id": pl.Int64}, orient="row")


def accounts_by_index(db: Session, indexes: list[str]) -> pl.DataFrame:
    """The accounts with these blind indexes, as ACCOUNT_SCHEMA."""
    cols = (
        Account.account_no_index,
        Account.id,
        Account.customer_id,
        Account.balance_date,
        Account.product_code,
        Account.currency,
    )
    rows: list[tuple[Any, ...]] = []
    for part in _chunks(indexes):
        rows.extend(db.execute(select(*cols).where(Account.account_no_index.in_(part))))
    return pl.DataFrame(rows, schema=ACCOUNT_SCHEMA, orient="row")


ACCOUNT_SCHEMA = {
    "_index": pl.String,
    "_account_id": pl.Int64,
    "_account_customer_id": pl.Int64,
    "_balance_date": pl.Date,
    "_account_product_code": pl.String,
    "_account_currency": pl.String,
}


def all_accounts(db: Session) -> pl.DataFrame:
    """Every account as ACCOUNT_SCHEMA, in one scan."""
    sql = "SELECT account_no_index, id, customer_id, balance_date, product_code, currency FROM account"
    raw: Any = db.connection().connection.driver_connection
    if db.get_bind().dialect.name == "postgresql":
        buffer = io.BytesIO()
        with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        if not buffer.getvalue():
            return pl.DataFrame(schema=ACCOUNT_SCHEMA)
        return pl.read_csv(buffer.getvalue(), has_header=False, new_columns=list(ACCOUNT_SCHEMA), schema=ACCOUNT_SCHEMA)
    cur = raw.cursor()
    rows = cur.execute(sql).fetchall()
    cur.close()
    frame = pl.DataFrame(rows, schema={**ACCOUNT_SCHEMA, "_balance_date": pl.String}, orient="row")
    return frame.with_columns(pl.col("_balance_date").str.to_date("%Y-%m-%d"))


def loans_by_index(db: Session, indexes: list[str]) -> pl.DataFrame:
    """(_index, _loan_id) of the loan contracts with these blind indexes."""
    rows: list[tuple[Any, ...]] = []
    for part in _chunks(indexes):
        stmt = select(LoanContract.contract_no_index, LoanContract.id).where(LoanContract.contract_no_index.in_(part))
        rows.extend(db.execute(stmt))
    return pl.DataFrame(rows, schema={"_index": pl.String, "_loan_id": pl.Int64}, orient="row")


def set_on(db: Session, model: Any, ids: list[int]) -> pl.DataFrame:
    """(_row_id, _set_on): the business date of the delivery that last set each of these rows."""
    rows: list[tuple[Any, ...]] = []
    for part in _chunks(ids):
        stmt = (
            select(model.id, IngestBatch.business_date)
            .join(IngestBatch, IngestBatch.id == model.batch_id)
            .where(model.id.in_(part))
        )
        rows.extend(db.execute(stmt))
    return pl.DataFrame(rows, schema={"_row_id": pl.Int64, "_set_on": pl.Date}, orient="row")


def balances_from_other_batches(db: Session, business_date: date, batch_id: int | None) -> list[int]:
    """Accounts that already have a balance on this date from another delivery."""
    stmt = select(BalanceSnapshot.account_id).where(BalanceSnapshot.balance_date == business_date)
    if batch_id is not None:
        stmt = stmt.where(BalanceSnapshot.batch_id != batch_id)
    return list(db.scalars(stmt))


def customers_by_cif(db: Session, cif_nos: list[str]) -> dict[str, Customer]:
    """Customers by CIF number, regardless of scope (a links file may join any two customers)."""
    found: dict[str, Customer] = {}
    for part in _chunks(sorted(cif_nos)):
        found |= {c.cif_no: c for c in db.scalars(select(Customer).where(Customer.cif_no.in_(part)))}
    return found


def party_customer_ids(db: Session, cif_nos: list[str]) -> pl.DataFrame:
    """(cif_no, _party_id) for the CIF numbers on file; a number merged into another names the survivor."""
    found: dict[str, int] = {}
    for part in _chunks(sorted(cif_nos)):
        found |= {c: i for c, i in db.execute(select(Customer.cif_no, Customer.id).where(Customer.cif_no.in_(part)))}
        aliases = select(CustomerAlias.cif_no, CustomerAlias.customer_id).where(CustomerAlias.cif_no.in_(part))
        found |= {c: i for c, i in db.execute(aliases)}  # the alias wins over the merged customer's own row
    return pl.DataFrame(list(found.items()), schema={"cif_no": pl.String, "_party_id": pl.Int64}, orient="row")


def party_keys_of_batch(db: Session, batch_id: int) -> list[tuple[int, int, str]]:
    """(account, customer, role) of the parties a delivery loaded."""
    cols = (AccountParty.account_id, AccountParty.customer_id, AccountParty.role)
    return [(a, c, r) for a, c, r in db.execute(select(*cols).where(AccountParty.batch_id == batch_id))]


def _active_link(today: date) -> Any:
    return (CustomerLink.valid_to.is_(None)) | (CustomerLink.valid_to > today)


def active_link_keys(db: Session, customer_ids: list[int], today: date) -> set[tuple[int, int, str]]:
    """(from, to, type) of the active links leaving any of these customers."""
    keys: set[tuple[int, int, str]] = set()
    cols = (CustomerLink.from_customer_id, CustomerLink.to_customer_id, CustomerLink.link_type)
    for part in _chunks(sorted(customer_ids)):
        stmt = select(*cols).where(CustomerLink.from_customer_id.in_(part), _active_link(today))
        keys |= {(f, t, k) for f, t, k in db.execute(stmt)}
    return keys


def shares_held(db: Session, company_ids: list[int], today: date) -> dict[int, int]:
    """Basis points held in each of these companies by active shareholder links."""
    held: dict[int, int] = {}
    for part in _chunks(sorted(company_ids)):
        stmt = (
            select(CustomerLink.to_customer_id, func.sum(CustomerLink.share_pct_bp))
            .where(
                CustomerLink.to_customer_id.in_(part),
                CustomerLink.link_type == "SHAREHOLDER_OF",
                _active_link(today),
            )
            .group_by(CustomerLink.to_customer_id)
        )
        held |= {c: int(bp or 0) for c, bp in db.execute(stmt)}
    return held


def encrypted_numbers(db: Session, model: Any, after_id: int, limit: int) -> list[tuple[int, str, str]]:
    """(id, blind index, token) of accounts or loan contracts with id > after_id, in id order."""
    number = "account_no" if model is Account else "contract_no"
    cols = (model.id, getattr(model, f"{number}_index"), getattr(model, f"{number}_enc"))
    stmt = select(*cols).where(model.id > after_id).order_by(model.id).limit(limit)
    return [(i, idx, enc) for i, idx, enc in db.execute(stmt)]


def customers_by_cif_or_alias(db: Session, cif_nos: list[str]) -> dict[str, Customer]:
    """Customers by CIF number, a number merged into another customer finding its survivor (regardless of scope)."""
    found = customers_by_cif(db, cif_nos)
    for part in _chunks(sorted(set(cif_nos))):
        stmt = select(CustomerAlias.cif_no, Customer).join(Customer, Customer.id == CustomerAlias.customer_id)
        found |= {cif: c for cif, c in db.execute(stmt.where(CustomerAlias.cif_no.in_(part)))}  # aliases win
    return found


def imported_tags(db: Session) -> dict[str, bool]:
    """Code → whether it may be imported (kind imported and in use), for every tag of the catalogue."""
    return {
        code: kind == "imported" and active for code, kind, active in db.execute(select(Tag.code, Tag.kind, Tag.active))
    }


def open_tag_keys(db: Session, customer_ids: list[int]) -> set[tuple[int, str]]:
    """(customer, tag) of the tags these customers carry now."""
    found: set[tuple[int, str]] = set()
    for part in _chunks(sorted(set(customer_ids))):
        stmt = select(CustomerTag.customer_id, CustomerTag.tag_code).where(
            CustomerTag.customer_id.in_(part), CustomerTag.removed_at.is_(None)
        )
        found |= {(i, code) for i, code in db.execute(stmt)}
    return found


def close_tags(db: Session, pairs: list[tuple[int, str]], batch_id: int, at: datetime) -> None:
    """Close the open rows of these (customer, tag) pairs, marked with the delivery that removed them."""
    for customer_id, code in pairs:
        db.execute(
            update(CustomerTag)
            .where(
                CustomerTag.customer_id == customer_id, CustomerTag.tag_code == code, CustomerTag.removed_at.is_(None)
            )
            .values(removed_at=at, removed_batch_id=batch_id)
            .execution_options(synchronize_session=False)
        )
