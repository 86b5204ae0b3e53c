"""The leads file type: leads from the website and campaign systems, keyed by the system's own reference.

A row is a customer's interest (``cif_no``; a number merged into another finds the survivor) or a prospect's
(``name`` and ``phone``). A prospect already a customer, or with an open lead, is rejected naming the phone; a
reference the same source delivered before is left as it is (counted as loaded), so a re-delivery changes
nothing. New leads are written by the leads service, which assigns them by its rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from bankcrm.ingest import repository
from bankcrm.ingest.checks import FAIL, Check, Context, column_checks, first_failure
from bankcrm.ingest.formats import LEADS
from bankcrm.ingest.service.plans import LoadContext
from bankcrm.kit import validators as v
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import utcnow
from bankcrm.leads.service import intake as lead_intake

UNKNOWN_CIF = N_("No customer has this CIF number.")
NEED_NAME = N_("A prospect needs a name (or give the CIF number of a customer).")
NEED_PHONE = N_("A prospect needs a phone number (or give the CIF number of a customer).")
BAD_PHONE = N_("Not a phone number of mainland China or with a country code.")
UNKNOWN_UNIT = N_("No org unit has this code.")
KNOWN_PERSON = N_("This phone is already a customer's or an open lead's.")
PROBLEMS: tuple[tuple[str, str], ...] = (
    ("cif_no", UNKNOWN_CIF),
    ("name", NEED_NAME),
    ("phone", NEED_PHONE),
    ("phone", BAD_PHONE),
    ("unit", UNKNOWN_UNIT),
    ("phone", KNOWN_PERSON),
)
_PROBLEM = {p: i for i, p in enumerate(PROBLEMS)}


@dataclass
class _State:
    format_checks: list[Check]
    root_unit: int
    phones: set[str] = field(default_factory=set)  # prospects' phones loaded earlier in this file


class LeadsPlan:
    """leads: new leads written and assigned; a reference delivered before is left alone."""

    def db_free(self, ctx: LoadContext) -> bool:
        """Resolving reads the database (customers, phones)."""
        return False

    def _state(self, ctx: LoadContext) -> _State:
        state = ctx.carried.get("leads")
        if not isinstance(state, _State):
            codes = Context(ctx.business_date, repository.code_sets(ctx.db), ctx.timezone)
            root = min(ctx.unit_ids.values())  # the head office: where a lead naming no unit waits
            state = _State([c for col in LEADS.columns for c in column_checks(col, codes, True)], root)
            ctx.carried["leads"] = state
        return state

    def resolve(self, frame: pl.DataFrame, ctx: LoadContext) -> pl.DataFrame:
        """Each row's problem (or none), its customer, unit and phone in E.164, in line order."""
        state = self._state(ctx)
        checked = first_failure(frame, state.format_checks)
        cifs = frame.get_column("cif_no").drop_nulls().unique().to_list()
        customers = repository.customers_by_cif_or_alias(ctx.db, cifs)
        phones: list[str | None] = []
        for row in checked.iter_rows(named=True):
            phone = None
            if row[FAIL] is None and not row["cif_no"] and row["phone"]:
                try:
                    phone = v.phone(row["phone"])
                except v.InvalidValue:
                    phone = None
            phones.append(phone)
        refs = [r for r in frame.get_column("lead_ref").to_list() if r]
        known = lead_intake.known(ctx.db, ctx.cipher, ctx.source, refs, [p for p in phones if p])
        problems: list[int | None] = []
        ids: list[int | None] = []
        units: list[int | None] = []
        for row, phone in zip(checked.iter_rows(named=True), phones, strict=True):
            problem, customer_id, unit_id = None, None, None
            if row[FAIL] is None:
                customer = customers.get(row["cif_no"]) if row["cif_no"] else None
                unit_id = ctx.unit_ids.get(row["unit"]) if row["unit"] else None
                if row["cif_no"] and customer is None:
                    problem = _PROBLEM[("cif_no", UNKNOWN_CIF)]
                elif customer is None and not row["name"]:
                    problem = _PROBLEM[("name", NEED_NAME)]
                elif customer is None and not row["phone"]:
                    problem = _PROBLEM[("phone", NEED_PHONE)]
                elif customer is None and phone is None:
                    problem = _PROBLEM[("phone", BAD_PHONE)]
                elif row["unit"] and unit_id is None:
                    problem = _PROBLEM[("unit", UNKNOWN_UNIT)]
                elif (
                    phone is not None
                    and row["lead_ref"] not in known.refs
                    and (phone in known.phones or phone in state.phones)
                ):
                    problem = _PROBLEM[("phone", KNOWN_PERSON)]
                else:
                    if phone is not None:
                        state.phones.add(phone)
                    customer_id = customer.id if customer else None
                    unit_id = unit_id or (customer.home_unit_id if customer else state.root_unit)
            problems.append(problem)
            ids.append(customer_id)
            units.append(unit_id)
        return frame.with_columns(
            pl.Series("_problem", problems, dtype=pl.Int32),
            pl.Series("_customer", ids, dtype=pl.Int64),
            pl.Series("_unit", units, dtype=pl.Int64),
            pl.Series("_phone", phones, dtype=pl.String),
        )

    def checks(self, ctx: LoadContext) -> dict[str, list[Check]]:
        """The problem found by resolve, reported on its field."""
        out: dict[str, list[Check]] = {}
        for index, (name, message) in enumerate(PROBLEMS):
            out.setdefault(name, []).append(Check(name, message, pl.col("_problem") == index))
        return out

    def load(self, good: pl.DataFrame, ctx: LoadContext) -> set[int]:
        """Write the new leads through the leads service (which assigns them); no customer's figures change."""
        rows: list[dict[str, Any]] = [
            {
                "ref": r["lead_ref"],
                "source": r["source"],
                "interest": r["interest"],
                "customer_id": r["_customer"],
                "unit_id": r["_unit"],
                "name": r["name"],
                "phone": r["_phone"],
                "amount": int(r["amount"]) if r["amount"] else None,
                "note": r["note"],
            }
            for r in good.iter_rows(named=True)
        ]
        lead_intake.ingest(ctx.db, ctx.cipher, rows, ctx.source, ctx.batch_id, utcnow(), ctx.timezone)
        return set()
