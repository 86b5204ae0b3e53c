"""Per file type: the lookups a file needs, its cross-field checks, and how its good rows are loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.ingest import repository
from bankcrm.ingest.checks import (
    CURRENCY,
    DIGITS,
    Check,
    hundredths,
    minor_units,
    parsed_date,
    parsed_datetime,
)
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.i18n import N_
from bankcrm.kit.masking import mask_account_number
from bankcrm.kit.time import utcnow
from bankcrm.models.holding import Account, BalanceSnapshot, LoanContract

ACCOUNT_PURPOSE = "account_no"  # blind-index purposes
CONTRACT_PURPOSE = "contract_no"
LOAN_CATEGORIES = ("PLOAN", "CLOAN")
MATURING_CATEGORIES = ("TIME", "WEALTH", "BAB")
DEBIT_CARD = "DEBIT_CARD"
DEMAND = "DEMAND"
WHOLE_TABLE_ABOVE = 20_000


@dataclass
class LoadContext:
    """Everything a load needs besides the rows: session, cipher, batch, business date, reference maps."""

    db: Session
    cipher: FieldCipher
    batch_id: int
    business_date: date
    timezone: str
    unit_ids: dict[str, int]
    categories: dict[str, str]
    taken_balances: list[int]
    digits: dict[str, int] = field(default_factory=dict)  # minor units by currency code
    overdraft: frozenset[str] = frozenset()  # products whose accounts may be overdrawn
    present: frozenset[str] = frozenset()  # the columns the file's header has
    # Per load: blind indexes already computed, and the whole account table once a file names many accounts.
    index_cache: dict[str, str] = field(default_factory=dict)
    all_accounts: pl.DataFrame | None = None
    account_map: pl.DataFrame | None = None  # account_no → the account's row, filled as numbers are met
    carried: dict[str, Any] = field(default_factory=dict)  # a plan's state from chunk to chunk of one load
    source: str = ""  # the delivering system (customers: a source_system code)


def _blind(frame: pl.DataFrame, column: str, purpose: str, ctx: LoadContext, out: str = "_index") -> pl.DataFrame:
    """Add ``out``: the blind index of a number column, computed once per distinct value and load."""
    values = frame.get_column(column).drop_nulls().unique().to_list()
    cache = ctx.index_cache
    for v in values:
        if v not in cache:
            cache[v] = ctx.cipher.blind_index(v, purpose)
    mapping = pl.DataFrame(
        {column: values, out: [cache[v] for v in values]},
        schema={column: pl.String, out: pl.String},
    )
    return frame.join(mapping, on=column, how="left")


def _with_customer(frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
    cifs = frame.get_column("cif_no").drop_nulls().unique().to_list()
    return frame.join(repository.customer_ids(ctx.db, cifs), on="cif_no", how="left")


def _with_account(frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
    if ctx.all_accounts is None and frame.get_column("account_no").n_unique() > WHOLE_TABLE_ABOVE:
        # Many accounts: one scan of the table beats thousands of IN lists (balances and vouchers
        # never add accounts, and an accounts file never names one twice, so the copy stays right).
        ctx.all_accounts = repository.all_accounts(ctx.db)
    if ctx.all_accounts is None:
        frame = _blind(frame, "account_no", ACCOUNT_PURPOSE, ctx)
        indexes = frame.get_column("_index").drop_nulls().unique().to_list()
        return frame.join(repository.accounts_by_index(ctx.db, indexes), on="_index", how="left")
    # Each number is blind-indexed and matched to the table once per load; chunks then join on the
    # short number itself rather than on 64-character indexes. Every number looked up has an _index
    # in the map (found or not), so a row left without one names a number not looked up yet.
    known = ctx.account_map
    if known is None:
        known = pl.DataFrame(schema={"account_no": pl.String, **repository.ACCOUNT_SCHEMA})
    joined = frame.join(known, on="account_no", how="left")
    unseen = joined.filter(pl.col("_index").is_null() & pl.col("account_no").is_not_null())
    if unseen.height == 0:
        return joined  # the usual chunk once the file's accounts have all been seen: one join
    new = unseen.get_column("account_no").unique().to_list()
    indexed = pl.DataFrame(
        {"account_no": new, "_index": [ctx.cipher.blind_index(v, ACCOUNT_PURPOSE) for v in new]},
        schema={"account_no": pl.String, "_index": pl.String},
    )
    ctx.account_map = pl.concat([known, indexed.join(ctx.all_accounts, on="_index", how="left")], rechunk=True)
    return frame.join(ctx.account_map, on="account_no", how="left")


with_account = _with_account  # the account_parties plan finds accounts the same way


def _with_category(frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
    return frame.with_columns(pl.col("product_code").replace_strict(ctx.categories, default=None).alias("_category"))


def _with_currency(frame: pl.DataFrame, ctx: LoadContext, column: str) -> pl.DataFrame:
    """_currency and _digits: the currency the row's amounts are in (``column``) and its minor units."""
    currency = pl.col(column)
    digits = currency.replace_strict(ctx.digits, default=None, return_dtype=pl.Int64)
    return frame.with_columns(currency.alias(CURRENCY), digits.alias(DIGITS))


def _overdrawn(column: str, product: str, ctx: LoadContext) -> Check:
    # Demand accounts go negative (an overdraft, penalty interest); the catalogue says which products may.
    not_allowed = ~pl.col(product).is_in(sorted(ctx.overdraft))
    return Check(
        column,
        N_("Must not be negative: product %(detail)s does not allow an overdraft."),
        (minor_units(column) < 0) & not_allowed,
        detail=pl.col(product),
    )


def _needed(column: str, needed: pl.Expr, ctx: LoadContext) -> pl.Expr:
    """Rows that need a value in ``column``; when the file lacks the column, only new rows (others keep theirs)."""
    if column in ctx.present:
        return needed & pl.col(column).is_null()
    return needed & pl.col("_account_id").is_null()


def _with_linked(frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
    """The account linked_account_no names, when on file: _linked_index, _linked_id, its customer and category."""
    frame = _blind(frame, "linked_account_no", ACCOUNT_PURPOSE, ctx, out="_linked_index")
    indexes = frame.get_column("_linked_index").drop_nulls().unique().to_list()
    found = repository.accounts_by_index(ctx.db, indexes).select(
        pl.col("_index").alias("_linked_index"),
        pl.col("_account_id").alias("_linked_id"),
        pl.col("_account_customer_id").alias("_linked_customer_id"),
        pl.col("_account_product_code").replace_strict(ctx.categories, default=None).alias("_linked_category"),
    )
    return frame.join(found, on="_linked_index", how="left")


def _day_after(d: date) -> datetime:
    return datetime(d.year, d.month, d.day) + timedelta(days=1)


def _not_after_business_date(column: str, business_date: date) -> Check:
    return Check(
        column,
        N_("Must not be after the business date %(date)s."),
        parsed_date(column) > pl.lit(business_date),
        {"date": business_date.isoformat()},
    )


def _with_set_on(frame: pl.DataFrame, ctx: LoadContext, model: Any, existing: str) -> pl.DataFrame:
    """The business date of the delivery that last set each row's account or contract (_set_on)."""
    ids = frame.get_column(existing).drop_nulls().unique().to_list()
    found = repository.set_on(ctx.db, model, ids).rename({"_row_id": existing})
    return frame.join(found, on=existing, how="left")


def _set_by_a_later_delivery(column: str, business_date: date) -> Check:
    # An older day's file (a late or re-run delivery) must not undo what a newer day's file set.
    return Check(
        column,
        N_("A delivery for a later business date (%(detail)s) has set this row; an older file does not change it."),
        pl.col("_set_on") > pl.lit(business_date),
        detail=pl.col("_set_on").cast(pl.String),
    )


def _unknown_customer() -> Check:
    return Check("cif_no", N_("No customer with this CIF number."), pl.col("_customer_id").is_null())


def _unknown_account() -> Check:
    return Check(
        "account_no",
        N_("No account with this number; load it with an accounts file first."),
        pl.col("_account_id").is_null(),
    )


def _upsert(
    ctx: LoadContext, model: Any, number: str, existing: str, rows: list[tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    """Insert rows whose number is new (encrypted, blind-indexed, masked); update known ones by id."""
    table = model.__tablename__
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for row, values in rows:
        if row[existing] is not None:
            updates.append(values | {"id": row[existing]})
            continue
        index = row["_index"]
        inserts.append(
            values
            | {
                f"{number}_index": index,
                f"{number}_enc": ctx.cipher.encrypt(row[number], aad_for(table, number, index)),
                f"{number}_masked": mask_account_number(row[number]),
            }
        )
    # What the rows held before this delivery, so that a corrected re-delivery can undo it.
    if updates:
        columns = sorted(set().union(*(u.keys() for u in updates)) - {"id"})
        repository.record_prior(ctx.db, ctx.batch_id, model, [u["id"] for u in updates], columns)
    repository.record_created(ctx.db, ctx.batch_id, model, repository.insert_returning_ids(ctx.db, model, inserts))
    repository.update_rows(ctx.db, model, updates)


# The accounts file's optional columns and the account columns each sets.
OPTIONAL_ACCOUNT_COLUMNS = {
    "close_date": ("close_date",),
    "rate": ("rate_bp",),
    "maturity_date": ("maturity_date",),
    "auto_renew": ("auto_renew",),
    "linked_account_no": ("linked_account_index", "linked_account_masked"),
}


class AccountsPlan:
    """accounts: upsert by account number."""

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """Customer, existing account (and when a delivery last set it), product category, currency, linked account."""
        frame = _with_account(_with_customer(frame, ctx), ctx)
        frame = _with_category(_with_set_on(frame, ctx, Account, "_account_id"), ctx)
        return _with_linked(_with_currency(frame, ctx, "currency"), ctx)

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """Rules across columns and against the database, by the column they are reported on."""
        other_customer = pl.col("_account_customer_id").is_not_null() & (
            pl.col("_account_customer_id") != pl.col("_customer_id")
        )
        maturity_needed = _needed("maturity_date", pl.col("_category").is_in(MATURING_CATEGORIES), ctx)
        card = pl.col("_category") == DEBIT_CARD
        return {
            "account_no": [_set_by_a_later_delivery("account_no", ctx.business_date)],
            "cif_no": [
                _unknown_customer(),
                Check("cif_no", N_("The account belongs to another customer."), other_customer),
            ],
            "product_code": [
                Check(
                    "product_code",
                    N_("A loan product: load loan contracts with a loans file."),
                    pl.col("_category").is_in(LOAN_CATEGORIES),
                )
            ],
            "open_date": [_not_after_business_date("open_date", ctx.business_date)],
            "close_date": [
                Check(
                    "close_date",
                    N_("Must not be before %(other)s."),
                    parsed_date("close_date") < parsed_date("open_date"),
                    {"other": "open_date"},
                )
            ],
            "maturity_date": [
                Check(
                    "maturity_date",
                    N_("Required for time deposits, wealth products and acceptance bills."),
                    maturity_needed,
                ),
                Check(
                    "maturity_date",
                    N_("Must be after %(other)s."),
                    parsed_date("maturity_date") <= parsed_date("open_date"),
                    {"other": "open_date"},
                ),
            ],
            "balance": [_overdrawn("balance", "product_code", ctx)],
            # Checked against accounts already on file: the demand account may also come later in this file.
            "linked_account_no": [
                Check(
                    "linked_account_no",
                    N_("Required for debit cards: the demand account the card draws on."),
                    _needed("linked_account_no", card, ctx),
                ),
                Check(
                    "linked_account_no",
                    N_("The linked account is not a demand account."),
                    card & pl.col("_linked_id").is_not_null() & (pl.col("_linked_category") != DEMAND),
                ),
                Check(
                    "linked_account_no",
                    N_("The linked account belongs to another customer."),
                    card & (pl.col("_linked_customer_id") != pl.col("_customer_id")),
                ),
            ],
        }

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """Insert new accounts (encrypting their numbers), update known ones; the customers touched."""
        now = utcnow()
        typed = good.with_columns(
            parsed_date("open_date").alias("open_date"),
            parsed_date("close_date").alias("close_date"),
            parsed_date("maturity_date").alias("maturity_date"),
            hundredths("rate").cast(pl.Int32).alias("rate_bp"),
            minor_units("balance").alias("balance"),
            (pl.col("auto_renew") == "Y").alias("auto_renew"),
        )
        # An optional column the file lacks leaves an account's stored value alone (an empty cell empties it).
        kept = {c for file_column, cs in OPTIONAL_ACCOUNT_COLUMNS.items() if file_column not in ctx.present for c in cs}
        rows = []
        for row in typed.iter_rows(named=True):
            values: dict[str, Any] = {
                "customer_id": row["_customer_id"],
                "product_code": row["product_code"],
                "unit_id": ctx.unit_ids[row["branch_code"]],
                "currency": row["currency"],
                "status": row["status"],
                "open_date": row["open_date"],
                "close_date": row["close_date"],
                "rate_bp": row["rate_bp"],
                "maturity_date": row["maturity_date"],
                "auto_renew": row["auto_renew"],
                "linked_account_index": row["_linked_index"],
                "linked_account_masked": mask_account_number(row["linked_account_no"])
                if row["linked_account_no"]
                else None,
                "batch_id": ctx.batch_id,
                "updated_at": now,
            }
            if row["_balance_date"] is None or row["_balance_date"] <= ctx.business_date:
                values |= {"balance": row["balance"], "balance_date": ctx.business_date}
            if row["_account_id"] is not None and kept:
                values = {k: v for k, v in values.items() if k not in kept}
            rows.append((row, values))
        _upsert(ctx, Account, "account_no", "_account_id", rows)
        return set(good.get_column("_customer_id").to_list())


class LoansPlan:
    """loans: upsert by contract number."""

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """Customer, existing contract and product category of each row."""
        frame = _blind(_with_customer(frame, ctx), "contract_no", CONTRACT_PURPOSE, ctx)
        indexes = frame.get_column("_index").drop_nulls().unique().to_list()
        frame = frame.join(repository.loans_by_index(ctx.db, indexes), on="_index", how="left")
        return _with_currency(_with_category(_with_set_on(frame, ctx, LoanContract, "_loan_id"), ctx), ctx, "currency")

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """Rules across columns and against the database."""
        return {
            "contract_no": [_set_by_a_later_delivery("contract_no", ctx.business_date)],
            "cif_no": [_unknown_customer()],
            "product_code": [
                Check("product_code", N_("Not a loan product."), ~pl.col("_category").is_in(LOAN_CATEGORIES))
            ],
            "drawn": [
                Check(
                    "drawn",
                    N_("Must not be more than %(other)s."),
                    minor_units("drawn") > minor_units("amount"),
                    {"other": "amount"},
                )
            ],
            "outstanding": [
                Check(
                    "outstanding",
                    N_("Must not be more than %(other)s."),
                    minor_units("outstanding") > minor_units("drawn"),
                    {"other": "drawn"},
                )
            ],
            "start_date": [_not_after_business_date("start_date", ctx.business_date)],
            "maturity_date": [
                Check(
                    "maturity_date",
                    N_("Must be after %(other)s."),
                    parsed_date("maturity_date") <= parsed_date("start_date"),
                    {"other": "start_date"},
                )
            ],
        }

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """Insert new contracts, update known ones; the customers touched."""
        now = utcnow()
        typed = good.with_columns(
            *(minor_units(c).alias(c) for c in ("amount", "drawn", "outstanding")),
            hundredths("rate").cast(pl.Int32).alias("rate_bp"),
            parsed_date("start_date").alias("start_date"),
            parsed_date("maturity_date").alias("maturity_date"),
            pl.col("term_months").cast(pl.Int32),
            pl.col("days_overdue").cast(pl.Int32),
        )
        copied = (
            "product_code", "currency", "status", "amount", "drawn", "outstanding", "rate_bp", "term_months",
            "start_date", "maturity_date", "repayment_method", "guarantee_type", "classification", "days_overdue",
        )  # fmt: skip
        rows = [
            (
                row,
                {k: row[k] for k in copied}
                | {
                    "unit_id": ctx.unit_ids[row["branch_code"]],
                    "customer_id": row["_customer_id"],
                    "batch_id": ctx.batch_id,
                    "updated_at": now,
                },
            )
            for row in typed.iter_rows(named=True)
        ]
        _upsert(ctx, LoanContract, "contract_no", "_loan_id", rows)
        return set(good.get_column("_customer_id").to_list())


class BalancesPlan:
    """balances: one end-of-day balance per account on the business date."""

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """The account of each row (its currency and product), and whether another delivery gave its balance today."""
        frame = _with_currency(_with_account(frame, ctx), ctx, "_account_currency")
        taken = pl.col("_account_id").is_in(ctx.taken_balances) if ctx.taken_balances else pl.lit(False)
        return frame.with_columns(taken.alias("_taken"))

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """Known account; one balance per account and day across deliveries."""
        return {
            "account_no": [
                _unknown_account(),
                Check(
                    "account_no",
                    N_("A balance for this account on this date was already loaded from another delivery."),
                    pl.col("_taken"),
                ),
            ],
            "balance": [_overdrawn("balance", "_account_product_code", ctx)],
        }

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """Store the snapshots and move each account's latest balance forward."""
        typed = good.with_columns(minor_units("balance").alias("balance"))
        snapshots = [
            {
                "account_id": r["_account_id"],
                "balance_date": ctx.business_date,
                "customer_id": r["_account_customer_id"],
                "balance": r["balance"],
                "batch_id": ctx.batch_id,
            }
            for r in typed.iter_rows(named=True)
        ]
        repository.insert_rows(ctx.db, BalanceSnapshot, snapshots)
        newer = typed.filter(pl.col("_balance_date").is_null() | (pl.col("_balance_date") <= ctx.business_date))
        repository.update_rows(
            ctx.db,
            Account,
            [
                {"id": r["_account_id"], "balance": r["balance"], "balance_date": ctx.business_date}
                for r in newer.iter_rows(named=True)
            ],
        )
        return set(good.get_column("_account_customer_id").to_list())


class TransactionsPlan:
    """transactions: vouchers, bulk-loaded."""

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """The account of each row (its currency: the vouchers' amounts are in it)."""
        return _with_currency(_with_account(frame, ctx), ctx, "_account_currency")

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """Known account; not posted after the business day."""
        local = pl.col("txn_time").str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
        return {
            "account_no": [_unknown_account()],
            "txn_time": [
                Check(
                    "txn_time",
                    N_("Must not be after the end of the business date %(date)s."),
                    local >= pl.lit(_day_after(ctx.business_date)),
                    {"date": ctx.business_date.isoformat()},
                )
            ],
        }

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """COPY (PostgreSQL) or executemany (SQLite) the vouchers."""
        touched, frame = self.stage(good, ctx)
        with repository.voucher_writer(ctx.db, ctx.timezone) as writer:
            writer.send(writer.encode(frame))
        return touched

    def db_free(self, ctx: LoadContext) -> bool:
        """Whether resolving the next chunk needs no query (so a write may run meanwhile)."""
        return ctx.all_accounts is not None

    def stage(self, good: pl.DataFrame, ctx: LoadContext) -> tuple[set[int], pl.DataFrame]:
        """The customers touched and the rows in table form, ready for a bulk writer."""
        if ctx.db.get_bind().dialect.name == "postgresql":
            # Checked local text (a time in a daylight-saving gap was rejected): the writer has the
            # server read it in the bank's zone, as Python would (a repeated hour is the later one).
            txn_time = pl.col("txn_time")
        else:
            txn_time = parsed_datetime("txn_time", ctx.timezone).dt.strftime("%Y-%m-%d %H:%M:%S%.6f")
        frame = good.select(
            pl.lit(ctx.batch_id, dtype=pl.Int64).alias("batch_id"),
            "voucher_no",
            pl.col("_account_id").alias("account_id"),
            pl.col("_account_customer_id").alias("customer_id"),
            txn_time.alias("txn_time"),
            minor_units("amount").alias("amount"),
            "direction",
            "channel",
            "counterparty_name",
            "counterparty_bank",
            "purpose_code",
            "summary",
        )
        return set(frame.get_column("customer_id").unique().to_list()), frame


# The holdings file types; run.py adds links (link_plan.py).
HOLDING_PLANS: dict[str, Any] = {
    "accounts": AccountsPlan(),
    "loans": LoansPlan(),
    "balances": BalancesPlan(),
    "transactions": TransactionsPlan(),
}
