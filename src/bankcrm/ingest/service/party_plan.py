"""The account_parties file type: an account's joint holders, signatories, attorneys and guardians.

Each row names an account on file, a customer (a CIF number merged into another stands for its survivor)
and a role other than the primary holder's, who is the account's owner in the accounts file. The rows
are keyed by their delivery: the newest delivery naming an account gives its parties (holdings reads
them that way), so a later file replaces an account's earlier parties and a corrected re-delivery
replaces its own rows. No figure changes: a joint account counts once, under its owner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from bankcrm.ingest import repository
from bankcrm.ingest.checks import FAIL, Check, Context, column_checks, first_failure
from bankcrm.ingest.formats import ACCOUNT_PARTIES
from bankcrm.ingest.reader import LINE
from bankcrm.ingest.service.plans import LoadContext, with_account
from bankcrm.kit.i18n import N_
from bankcrm.models.holding import AccountParty

PRIMARY = "PRIMARY"  # code_item account_party_role: the owner's role, which the accounts file gives

UNKNOWN_ACCOUNT = N_("No account with this number; load it with an accounts file first.")
UNKNOWN_CIF = N_("No customer with this CIF number.")
OWNER = N_("This customer owns the account; list only its other parties.")
PRIMARY_ROLE = N_("The primary holder is the account's owner, given by the accounts file.")
END_BEFORE_START = N_("The end date cannot be before the start date.")
REPEATED_PARTY = N_("The same account, customer and role are on line %(detail)s.")
# Problems of a well-formed row, by index: (field, message).
PARTY_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("account_no", UNKNOWN_ACCOUNT),
    ("cif_no", UNKNOWN_CIF),
    ("cif_no", OWNER),
    ("role", PRIMARY_ROLE),
    ("valid_to", END_BEFORE_START),
    ("role", REPEATED_PARTY),
)
_PROBLEM = {p: i for i, p in enumerate(PARTY_PROBLEMS)}


@dataclass
class _PartyState:
    """What a load carries from chunk to chunk: the format checks and the keys accepted so far (→ line)."""

    format_checks: list[Check]
    seen: dict[tuple[int, int, str], int | None] = field(default_factory=dict)


class AccountPartiesPlan:
    """account_parties: an account's parties besides its owner, keyed by their delivery."""

    def _state(self, ctx: LoadContext) -> _PartyState:
        state = ctx.carried.get("account_parties")
        if not isinstance(state, _PartyState):
            codes = Context(ctx.business_date, repository.code_sets(ctx.db), ctx.timezone)
            checks = [c for col in ACCOUNT_PARTIES.columns for c in column_checks(col, codes, True)]
            state = _PartyState(checks)
            # A re-run of rejected rows adds to rows this delivery already loaded (line unknown: None).
            state.seen = dict.fromkeys(repository.party_keys_of_batch(ctx.db, ctx.batch_id))
            ctx.carried["account_parties"] = state
        return state

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """Each row's account and customer (merged CIF numbers: the survivor), its problem or its typed values."""
        state = self._state(ctx)
        frame = with_account(frame, ctx)
        cifs = frame.get_column("cif_no").drop_nulls().unique().to_list()
        frame = frame.join(repository.party_customer_ids(ctx.db, cifs), on="cif_no", how="left")
        checked = first_failure(frame, state.format_checks)
        problems: list[int | None] = []
        details: list[str | None] = []
        starts: list[date | None] = []
        ends: list[date | None] = []
        for row in checked.iter_rows(named=True):
            problem, detail, start, end = None, None, None, None
            if row[FAIL] is None:
                problem, detail, start, end = self._row(row, state, ctx)
            problems.append(problem)
            details.append(detail)
            starts.append(start)
            ends.append(end)
        return frame.with_columns(
            pl.Series("_problem", problems, dtype=pl.Int32),
            pl.Series("_problem_detail", details, dtype=pl.String),
            pl.Series("_valid_from", starts, dtype=pl.Date),
            pl.Series("_valid_to", ends, dtype=pl.Date),
        )

    def _row(
        self, row: dict[str, Any], state: _PartyState, ctx: LoadContext
    ) -> tuple[int | None, str | None, date | None, date | None]:
        """A well-formed row: (problem index, detail, None, None), or (None, None, valid from, valid to)."""
        account, customer, role = row["_account_id"], row["_party_id"], row["role"]
        if account is None:
            return _PROBLEM[("account_no", UNKNOWN_ACCOUNT)], None, None, None
        if customer is None:
            return _PROBLEM[("cif_no", UNKNOWN_CIF)], None, None, None
        if customer == row["_account_customer_id"]:
            return _PROBLEM[("cif_no", OWNER)], None, None, None
        if role == PRIMARY:
            return _PROBLEM[("role", PRIMARY_ROLE)], None, None, None
        start = date.fromisoformat(row["valid_from"]) if row["valid_from"] else ctx.business_date
        end = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
        if end is not None and end < start:
            return _PROBLEM[("valid_to", END_BEFORE_START)], None, None, None
        key = (account, customer, role)
        if key in state.seen:
            line = state.seen[key]
            return _PROBLEM[("role", REPEATED_PARTY)], "-" if line is None else str(line), None, None
        state.seen[key] = row[LINE]
        return None, None, start, end

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """The problem found by resolve, reported on its field (a well-formed row has at most one)."""
        out: dict[str, list[Check]] = {}
        for index, (name, message) in enumerate(PARTY_PROBLEMS):
            detail = pl.col("_problem_detail") if "%(detail)s" in message else None
            out.setdefault(name, []).append(Check(name, message, pl.col("_problem") == index, detail=detail))
        return out

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """Insert the parties, marked with their delivery; no customer's figures change."""
        rows = [
            {
                "account_id": r["_account_id"],
                "customer_id": r["_party_id"],
                "role": r["role"],
                "batch_id": ctx.batch_id,
                "business_date": ctx.business_date,
                "valid_from": r["_valid_from"],
                "valid_to": r["_valid_to"],
            }
            for r in good.iter_rows(named=True)
        ]
        repository.insert_rows(ctx.db, AccountParty, rows)
        return set()
