"""The links file type: every row checked by the same rules as entering a link by hand, keyed by its delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from bankcrm.errors import FieldError
from bankcrm.ingest import repository
from bankcrm.ingest.checks import CURRENCY, DIGITS, FAIL, Check, Context, column_checks, first_failure
from bankcrm.ingest.formats import LINKS
from bankcrm.ingest.reader import LINE
from bankcrm.ingest.service.plans import LoadContext
from bankcrm.kit.i18n import N_
from bankcrm.kit.money import percent_text
from bankcrm.kit.time import today_in, utcnow
from bankcrm.models.customer import Customer
from bankcrm.models.relationship import CustomerLink
from bankcrm.relationships.service import links


@dataclass
class _LinkState:
    """What a links load carries from chunk to chunk: the rules' inputs and the rows accepted so far."""

    today: date
    symmetric: set[str]
    format_checks: list[Check]
    held: dict[int, int] = field(default_factory=dict)  # company id → basis points held, this file included
    seen: dict[tuple[int, int, str], int] = field(default_factory=dict)  # link key → line of the file


REPEATED_LINK = N_("The same link is on line %(detail)s.")
SHARES_OVER = N_("Shareholders would then hold more than 100%% of this company: at most %(detail)s%% is left.")
# Problems of a row against the link rules (relationships.service.links), by index: (field, message).
LINK_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("from_cif_no", links.UNKNOWN_CIF),
    ("to_cif_no", links.UNKNOWN_CIF),
    ("to_cif_no", links.SELF_LINK),
    ("link_type", links.FAMILY_KINDS),
    ("link_type", links.NEEDS_CORPORATE),
    ("link_type", links.CORPORATE_KINDS),
    ("share_pct", links.SHARE_REQUIRED),
    ("share_pct", links.SHARE_RANGE),
    ("share_pct", links.SHARE_ONLY_SHAREHOLDER),
    ("amount", links.AMOUNT_REQUIRED),
    ("amount", links.AMOUNT_ONLY_GUARANTEE),
    ("valid_to", links.END_BEFORE_START),
    ("to_cif_no", REPEATED_LINK),
    ("to_cif_no", links.DUPLICATE),
    ("share_pct", SHARES_OVER),
)
_PROBLEM = {p: i for i, p in enumerate(LINK_PROBLEMS)}


class LinksPlan:
    """links: links between customers, checked by the same rules as entering one by hand; keyed by their delivery."""

    def _state(self, ctx: LoadContext) -> _LinkState:
        state = ctx.carried.get("links")
        if not isinstance(state, _LinkState):
            codes = Context(ctx.business_date, repository.code_sets(ctx.db), ctx.timezone)
            format_checks = [c for col in LINKS.columns for c in column_checks(col, codes, True)]
            state = _LinkState(today_in(ctx.timezone), links.symmetric_types(ctx.db), format_checks)
            ctx.carried["links"] = state
        return state

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """Each row against the link rules, in line order: its problem (or none) and its typed values."""
        state = self._state(ctx)
        cifs = frame.select(pl.concat_list("from_cif_no", "to_cif_no").explode().drop_nulls().unique())
        customers = repository.customers_by_cif(ctx.db, cifs.to_series().to_list())
        ids = [c.id for c in customers.values()]
        existing = repository.active_link_keys(ctx.db, ids, state.today)
        for company, bp in repository.shares_held(ctx.db, ids, state.today).items():
            state.held.setdefault(company, bp)  # rows of earlier chunks already counted stay counted
        # A link's amount is in yuan.
        frame = frame.with_columns(pl.lit("CNY").alias(CURRENCY), pl.lit(2, dtype=pl.Int64).alias(DIGITS))
        checked = first_failure(frame, state.format_checks)
        out: dict[str, list[Any]] = {k: [] for k in ("_problem", "_problem_detail", "_from", "_to", "_bp", "_fen")}
        out |= {"_valid_from": [], "_valid_to": []}
        for row in checked.iter_rows(named=True):
            values: dict[str, Any] = {k: None for k in out}
            if row[FAIL] is None:
                values |= self._row(row, customers, existing, state, ctx)
            for k in out:
                out[k].append(values[k])
        return frame.with_columns(
            pl.Series("_problem", out["_problem"], dtype=pl.Int32),
            pl.Series("_problem_detail", out["_problem_detail"], dtype=pl.String),
            pl.Series("_from", out["_from"], dtype=pl.Int64),
            pl.Series("_to", out["_to"], dtype=pl.Int64),
            pl.Series("_bp", out["_bp"], dtype=pl.Int64),
            pl.Series("_fen", out["_fen"], dtype=pl.Int64),
            pl.Series("_valid_from", out["_valid_from"], dtype=pl.Date),
            pl.Series("_valid_to", out["_valid_to"], dtype=pl.Date),
        )

    def _row(
        self,
        row: dict[str, Any],
        customers: dict[str, Customer],
        existing: set[tuple[int, int, str]],
        state: _LinkState,
        ctx: LoadContext,
    ) -> dict[str, Any]:
        """One well-formed row: its problem index and detail, or its typed values (and it counts from now on)."""

        def problem(field_name: str, message: str, detail: object = None) -> dict[str, Any]:
            return {
                "_problem": _PROBLEM[(field_name, message)],
                "_problem_detail": None if detail is None else str(detail),
            }

        source, target = customers.get(row["from_cif_no"]), customers.get(row["to_cif_no"])
        kind = row["link_type"]
        if source is None:
            return problem("from_cif_no", links.UNKNOWN_CIF)
        if target is None:
            return problem("to_cif_no", links.UNKNOWN_CIF)
        if source.id == target.id:
            return problem("to_cif_no", links.SELF_LINK)
        if (wrong := links.kind_error(kind, source, target)) is not None:
            return problem(wrong.field, wrong.message)
        bp: int | None = None
        if kind == links.SHAREHOLDER:
            if row["share_pct"] is None:
                return problem("share_pct", links.SHARE_REQUIRED)
            errors: list[FieldError] = []
            try:
                bp = links.share_bp(Decimal(row["share_pct"].strip()), errors)
            except InvalidOperation:
                bp = None
            if bp is None:
                return problem("share_pct", links.SHARE_RANGE)
        elif row["share_pct"] is not None:
            return problem("share_pct", links.SHARE_ONLY_SHAREHOLDER)
        fen = _fen(row["amount"])
        if kind == links.GUARANTOR:
            if fen is None or fen <= 0:
                return problem("amount", links.AMOUNT_REQUIRED)
        elif fen is not None:
            return problem("amount", links.AMOUNT_ONLY_GUARANTEE)
        valid_from = date.fromisoformat(row["valid_from"]) if row["valid_from"] else ctx.business_date
        valid_to = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
        if valid_to is not None and valid_to < valid_from:
            return problem("valid_to", links.END_BEFORE_START)
        pair = (source.id, target.id)
        key = (*sorted(pair), kind) if kind in state.symmetric else (*pair, kind)
        if key in state.seen:
            return problem("to_cif_no", REPEATED_LINK, state.seen[key])
        active = valid_to is None or valid_to > state.today
        reverse = (target.id, source.id, kind)
        if active and ((*pair, kind) in existing or (kind in state.symmetric and reverse in existing)):
            return problem("to_cif_no", links.DUPLICATE)
        if bp is not None and active:
            held = state.held.get(target.id, 0)
            if held + bp > links.FULL_SHARE_BP:
                return problem("share_pct", SHARES_OVER, percent_text(links.FULL_SHARE_BP - held))
            state.held[target.id] = held + bp
        state.seen[key] = row[LINE]
        return {
            "_from": source.id,
            "_to": target.id,
            "_bp": bp,
            "_fen": fen if kind == links.GUARANTOR else None,
            "_valid_from": valid_from,
            "_valid_to": valid_to,
        }

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """The problem found by resolve, reported on its field (a well-formed row has at most one)."""
        out: dict[str, list[Check]] = {}
        for index, (name, message) in enumerate(LINK_PROBLEMS):
            detail = pl.col("_problem_detail") if "%(detail)s" in message else None
            out.setdefault(name, []).append(Check(name, message, pl.col("_problem") == index, detail=detail))
        return out

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """Insert the links, marked with the delivery that brought them; no customer's figures change."""
        now = utcnow()
        rows = [
            {
                "from_customer_id": r["_from"],
                "to_customer_id": r["_to"],
                "link_type": r["link_type"],
                "share_pct_bp": r["_bp"],
                "amount": r["_fen"],
                "valid_from": r["_valid_from"],
                "valid_to": r["_valid_to"],
                "created_at": now,
                "batch_id": ctx.batch_id,
            }
            for r in good.iter_rows(named=True)
        ]
        repository.insert_rows(ctx.db, CustomerLink, rows)
        return set()


def _fen(text: str | None) -> int | None:
    """A well-formed amount in yuan ('1234.5') as fen."""
    if text is None:
        return None
    return int(Decimal(text) * 100)
