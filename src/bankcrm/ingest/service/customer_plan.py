"""The customers file type: each row checked by the customers module's own rules, kept as a source record.

Codes, shapes and required columns are checked column-wise against the form's code tables and messages;
what needs the whole row (an ID number against its type, birth date and gender, a credit code's check
character, phones, e-mail, dates in order) runs the form's validators row by row (customers.service.delivered).
Good rows go to the matching module, which keeps, links and applies them (matching.service.feed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.customers.service import delivered
from bankcrm.customers.service import validation as customer_rules
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.ingest import repository
from bankcrm.ingest.checks import CURRENCY, DIGITS, Check
from bankcrm.ingest.formats import CUSTOMERS
from bankcrm.ingest.reader import LINE
from bankcrm.ingest.service.plans import LoadContext
from bankcrm.kit import workers
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import today_in
from bankcrm.matching.service import feed
from bankcrm.models.matching import CustomerSource

SOURCE_ID_RE = r"^[A-Za-z0-9_-]{1,64}$"
NATIONALITY_RE = r"^[A-Z]{2}$"
CURRENCY_RE = r"^[A-Z]{3}$"
PROBLEM_FIELD = "_problem_field"
PROBLEM = "_problem"
VALUES = "_values"
VALUES_HASH = "_values_hash"
PREFETCHED = "customers_prefetched"  # ctx.carried: the next chunk's lines and its rows handed to the workers
ORDER = {name: i for i, name in enumerate(CUSTOMERS.names)}
# Columns a row-wise rule of the form may report a problem on.
ROW_CHECKED = (
    "id_type",
    "id_country",
    "id_no",
    "id_issue_date",
    "id_expiry_date",
    "birth_date",
    "mobile",
    "phone_home",
    "phone_work",
    "email",
    "uscc",
    "established_on",
    "licence_expiry",
)


@dataclass
class _State:
    """What a customers load carries from chunk to chunk."""

    today: date
    codes: dict[str, frozenset[str]]
    delivery: feed.Delivery


def resolved_row(_: FieldCipher | None, item: tuple[dict[str, str | None], date]) -> tuple[str | None, ...]:
    """One row through the form's row rules: its first problem's column and reason (JSON), or its normalised
    values (JSON) and their hash; pure, so a large chunk's rows are shared by the worker processes (kit/workers.py)."""
    row, today = item
    errors, clean = delivered.check_row(row, today)
    if errors:
        first = min(errors, key=lambda e: ORDER.get(e.field, len(ORDER)))
        problem = json.dumps({"reason": first.message, "params": first.params}, ensure_ascii=False)
        return first.field, problem, None, None
    # the values' JSON is what the source record keeps (encrypted) and its hash tells a changed re-delivery:
    # both made here, once
    return None, None, json.dumps(clean, ensure_ascii=False), feed.values_hash(str(clean.get("kind")), clean)


class CustomersPlan:
    """customers: upsert source records by (source, source_customer_id); customers created, filed or updated."""

    @staticmethod
    def check_source(db: Session, source: str) -> None:
        """Refuse a customers file from a system the source_system catalogue does not know."""
        known = feed.known_sources(db)
        if source not in known:
            raise ValidationFailed(
                N_("The ingest request is not valid."),
                errors=[
                    FieldError(
                        "source", N_("Unknown source system; one of: %(sources)s."), {"sources": ", ".join(known)}
                    )
                ],
            )

    def _state(self, ctx: LoadContext) -> _State:
        state = ctx.carried.get("customers")
        if not isinstance(state, _State):
            delivery = feed.start(ctx.db, ctx.source, ctx.business_date, ctx.batch_id)
            state = _State(today_in(ctx.timezone), delivered.feed_codes(ctx.db), delivery)
            ctx.carried["customers"] = state
        return state

    def prefetch(self, frame: pl.DataFrame, ctx: LoadContext) -> None:
        """Hand the next chunk's rows to the workers' row rules now, while this chunk is loaded (``resolve`` of that
        chunk then takes the results): the workers check chunk n+1 while this process places and writes chunk n."""
        state = self._state(ctx)
        missing = [c for c in CUSTOMERS.names if c not in frame.columns]
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
        rows = [(row, state.today) for row in frame.select(CUSTOMERS.names).iter_rows(named=True)]
        lines = frame.get_column(LINE)
        ctx.carried[PREFETCHED] = (lines, workers.submit_rows(resolved_row, rows))

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """Each row through the form's row rules: its first problem (column and reason) and its normalised values."""
        state = self._state(ctx)
        # registered_capital is in yuan
        frame = frame.with_columns(pl.lit("CNY").alias(CURRENCY), pl.lit(2, dtype=pl.Int64).alias(DIGITS))
        ahead = ctx.carried.pop(PREFETCHED, None)
        if ahead is not None and ahead[0].equals(frame.get_column(LINE)):
            resolved = ahead[1].result()  # checked while the previous chunk was loaded
        else:
            rows = [(row, state.today) for row in frame.select(CUSTOMERS.names).iter_rows(named=True)]
            resolved = workers.map_rows(resolved_row, rows)  # a large chunk's rows over the worker processes
        return frame.with_columns(
            pl.Series(PROBLEM_FIELD, [r[0] for r in resolved], dtype=pl.String),
            pl.Series(PROBLEM, [r[1] for r in resolved], dtype=pl.String),
            pl.Series(VALUES, [r[2] for r in resolved], dtype=pl.String),
            pl.Series(VALUES_HASH, [r[3] for r in resolved], dtype=pl.String),
        )

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """The form's rules by feed column, after each column's own shape check."""
        state = self._state(ctx)
        kind = pl.col("kind")
        individual, corporate = kind == delivered.INDIVIDUAL, kind == delivered.CORPORATE
        out: dict[str, list[Check]] = {
            "kind": [Check("kind", delivered.MSG_KIND, kind.is_not_null() & ~kind.is_in(delivered.KINDS))],
            "source_customer_id": [
                Check(
                    "source_customer_id",
                    delivered.MSG_SOURCE_ID,
                    pl.col("source_customer_id").is_not_null()
                    & ~pl.col("source_customer_id").str.contains(SOURCE_ID_RE),
                )
            ],
        }
        for which, kind_name in ((individual, delivered.INDIVIDUAL), (corporate, delivered.CORPORATE)):
            for column in delivered.REQUIRED[kind_name]:
                message = delivered.MSG_REQUIRED[kind_name]
                out.setdefault(column, []).append(Check(column, message, which & pl.col(column).is_null()))
        for column in delivered.FEED_CODES:
            scope = (
                individual
                if column in delivered.INDIVIDUAL_ONLY
                else corporate
                if column in delivered.CORPORATE_ONLY
                else pl.lit(True)
            )
            value = pl.col(column)
            bad = scope & value.is_not_null() & ~value.is_in(sorted(state.codes[column]))
            out.setdefault(column, []).append(Check(column, customer_rules.MSG_UNKNOWN_CODE, bad))
        out.setdefault("nationality", []).append(
            Check(
                "nationality",
                delivered.MSG_NATIONALITY,
                individual & pl.col("nationality").is_not_null() & ~pl.col("nationality").str.contains(NATIONALITY_RE),
            )
        )
        out.setdefault("capital_currency", []).append(
            Check(
                "capital_currency",
                delivered.MSG_CURRENCY,
                corporate
                & pl.col("capital_currency").is_not_null()
                & ~pl.col("capital_currency").str.contains(CURRENCY_RE),
            )
        )
        for column in ROW_CHECKED:
            out.setdefault(column, []).append(
                Check(
                    column,
                    "-",
                    pl.col(PROBLEM_FIELD) == column,
                    detail=pl.col(PROBLEM),
                    reason_from_detail=True,
                )
            )
        return out

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """Keep each good row as a source record (undo records first), linked, created or filed by matching."""
        state = self._state(ctx)
        delivery = state.delivery
        keys = good.get_column("source_customer_id").to_list()
        prior = feed.existing_ids(ctx.db, delivery.source, keys)
        repository.record_prior(ctx.db, ctx.batch_id, CustomerSource, prior, feed.SOURCE_COLUMNS)
        done = len(delivery.created_sources)
        rows: list[dict[str, Any]] = [
            {"values": json.loads(text), "text": text, "hash": digest, "_row": line}
            for line, text, digest in good.select(LINE, VALUES, VALUES_HASH).iter_rows()
        ]
        # the delivered values as read (what matching compares) stay a frame: a dict a row cost more than the rest
        raw = good.select(pl.col(LINE).alias(feed.ROW), *CUSTOMERS.names)
        feed.load(ctx.db, ctx.cipher, delivery, rows, ctx.unit_ids, raw)
        repository.record_created(ctx.db, ctx.batch_id, CustomerSource, delivery.created_sources[done:])
        return set()
