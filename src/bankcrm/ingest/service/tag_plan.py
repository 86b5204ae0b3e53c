"""The tags file type: imported tags added to or removed from customers, keyed by their delivery.

A row names a customer (a number merged into another finds the survivor), an imported tag of the catalogue
and ``add`` or ``remove``. Adding a tag the customer carries, or removing one it does not, changes nothing
(the row still counts as loaded). The rows a delivery opened carry its batch id, the rows it closed carry it
as ``removed_batch_id``: a corrected re-delivery undoes both (repository.delete_batch_rows) and loads afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from bankcrm.ingest import repository
from bankcrm.ingest.checks import FAIL, Check, Context, column_checks, first_failure
from bankcrm.ingest.formats import TAGS
from bankcrm.ingest.reader import LINE
from bankcrm.ingest.service.plans import LoadContext
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.models.tag import CustomerTag

UNKNOWN_CIF = N_("No customer has this CIF number.")
UNKNOWN_TAG = N_("No tag has this code.")
NOT_IMPORTED = N_("This tag is not one delivered in files.")
REPEATED_TAG = N_("The same customer and tag are on line %(detail)s.")
TAG_PROBLEMS: tuple[tuple[str, str], ...] = (
    ("cif_no", UNKNOWN_CIF),
    ("tag", UNKNOWN_TAG),
    ("tag", NOT_IMPORTED),
    ("tag", REPEATED_TAG),
)
_PROBLEM = {p: i for i, p in enumerate(TAG_PROBLEMS)}


@dataclass
class _TagState:
    """What a tags load carries from chunk to chunk."""

    format_checks: list[Check]
    importable: dict[str, bool]
    seen: dict[tuple[int, str], int] = field(default_factory=dict)  # (customer, tag) → line of the file


class TagsPlan:
    """tags: imported tags added or removed; a row repeated in the file is rejected naming the first line."""

    def _state(self, ctx: LoadContext) -> _TagState:
        state = ctx.carried.get("tags")
        if not isinstance(state, _TagState):
            codes = Context(ctx.business_date, repository.code_sets(ctx.db), ctx.timezone)
            format_checks = [c for col in TAGS.columns for c in column_checks(col, codes, True)]
            state = _TagState(format_checks, repository.imported_tags(ctx.db))
            ctx.carried["tags"] = state
        return state

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """Each row's problem (or none) and its customer id, in line order."""
        state = self._state(ctx)
        cifs = frame.get_column("cif_no").drop_nulls().unique().to_list()
        customers = repository.customers_by_cif_or_alias(ctx.db, cifs)
        checked = first_failure(frame, state.format_checks)
        problems: list[int | None] = []
        details: list[str | None] = []
        ids: list[int | None] = []
        for row in checked.iter_rows(named=True):
            problem, detail, customer_id = None, None, None
            if row[FAIL] is None:
                customer = customers.get(row["cif_no"])
                code = row["tag"]
                if customer is None:
                    problem = _PROBLEM[("cif_no", UNKNOWN_CIF)]
                elif code not in state.importable:
                    problem = _PROBLEM[("tag", UNKNOWN_TAG)]
                elif not state.importable[code]:
                    problem = _PROBLEM[("tag", NOT_IMPORTED)]
                elif (customer.id, code) in state.seen:
                    problem, detail = _PROBLEM[("tag", REPEATED_TAG)], str(state.seen[(customer.id, code)])
                else:
                    state.seen[(customer.id, code)] = row[LINE]
                    customer_id = customer.id
            problems.append(problem)
            details.append(detail)
            ids.append(customer_id)
        return frame.with_columns(
            pl.Series("_problem", problems, dtype=pl.Int32),
            pl.Series("_problem_detail", details, dtype=pl.String),
            pl.Series("_customer", ids, dtype=pl.Int64),
        )

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """The problem found by resolve, reported on its field."""
        out: dict[str, list[Check]] = {}
        for index, (name, message) in enumerate(TAG_PROBLEMS):
            detail = pl.col("_problem_detail") if "%(detail)s" in message else None
            out.setdefault(name, []).append(Check(name, message, pl.col("_problem") == index, detail=detail))
        return out

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """Open the added tags not carried yet and close the removed ones carried; no customer's figures change."""
        now = utcnow()
        rows: list[dict[str, Any]] = list(good.select("_customer", "tag", "action", "note").iter_rows(named=True))
        carried = repository.open_tag_keys(ctx.db, [r["_customer"] for r in rows])
        added = [
            {
                "customer_id": r["_customer"],
                "tag_code": r["tag"],
                "source": "file",
                "batch_id": ctx.batch_id,
                "note": r["note"],
                "applied_at": now,
            }
            for r in rows
            if r["action"] == "add" and (r["_customer"], r["tag"]) not in carried
        ]
        removed = [
            (r["_customer"], r["tag"])
            for r in rows
            if r["action"] == "remove" and (r["_customer"], r["tag"]) in carried
        ]
        repository.insert_rows(ctx.db, CustomerTag, added)
        repository.close_tags(ctx.db, removed, ctx.batch_id, now)
        return set()
