"""Opportunities as their readers see them: customer names as shown on the customer's page, labels in the
reader's language, the weighted amount and the days in the stage."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.scope_audit import out_of_scope
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import NotFound
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import as_utc, utcnow
from bankcrm.models.holding import Product
from bankcrm.models.sales import Opportunity
from bankcrm.sales import catalogue, repository
from bankcrm.sales.schemas import OpportunityDetail, OpportunityRead, StageMoveRead

NO_OPPORTUNITY = N_("Opportunity not found.")


def in_scope(db: Session, principal: Principal, opportunity_id: int, *, lock: bool = False) -> Opportunity:
    """An opportunity in the principal's scope, or 404 (an out-of-scope attempt is audited)."""
    row = repository.opportunity(db, opportunity_id, lock=lock)
    if row is None or not repository.readable(db, principal, opportunity_id):
        raise NotFound(NO_OPPORTUNITY, audit=out_of_scope(principal, "opportunity", opportunity_id, row is not None))
    return row


def weighted(amount: int, probability_pct: int) -> int:
    """The amount weighted by the probability, rounded to the fen (half up)."""
    return (amount * probability_pct + 50) // 100


def to_read(db: Session, principal: Principal, rows: list[Opportunity], locale: str) -> list[OpportunityRead]:
    """The rows as their reader may see them, in the order given."""
    customers = repository.customers(db, {r.customer_id for r in rows})
    shown = customer_reads.summaries(db, principal, [customers[r.customer_id] for r in rows])
    names = repository.user_names(db, {r.owner_id for r in rows})
    units = repository.unit_codes(db, {r.unit_id for r in rows})
    products = {p.code: p for p in repository.products(db)} if rows else {}
    stages = catalogue.stage_map()
    now = utcnow()
    out = []
    for r, c in zip(rows, shown, strict=True):
        stage = stages[r.stage]
        product = products.get(r.product_code)
        out.append(
            OpportunityRead(
                id=r.id,
                cif_no=c.cif_no,
                customer_name=c.name,
                product_code=r.product_code,
                product_label=(product.label_zh if locale.startswith("zh") else product.label_en)
                if product
                else r.product_code,
                amount=r.amount,
                weighted_amount=weighted(r.amount, r.probability_pct),
                stage=r.stage,
                stage_label=stage.label(locale),
                outcome=stage.outcome,
                probability_pct=r.probability_pct,
                expected_close=r.expected_close,
                owner=names.get(r.owner_id, ("", ""))[1],
                owner_id=r.owner_id,
                unit=units.get(r.unit_id, ""),
                lead_id=r.lead_id,
                note=r.note,
                lost_reason=r.lost_reason,
                competitor=r.competitor,
                won_amount=r.won_amount,
                closed_on=r.closed_on,
                proposed_amount=r.proposed_amount,
                proposed_on=r.proposed_on,
                stage_since=r.stage_since,
                days_in_stage=_days(now, r.stage_since),
                created_at=r.created_at,
            )
        )
    return out


def _days(now: datetime, since: datetime) -> int:
    return max(0, (now - as_utc(since)).days)


def detail(db: Session, principal: Principal, opportunity_id: int, locale: str) -> OpportunityDetail:
    """One opportunity in scope with its stage history (404 otherwise, audited)."""
    row = in_scope(db, principal, opportunity_id)
    base = to_read(db, principal, [row], locale)[0]
    stages = catalogue.stage_map()
    moves = [
        StageMoveRead(
            from_stage=h.from_stage,
            to_stage=h.to_stage,
            to_label=stages[h.to_stage].label(locale) if h.to_stage in stages else h.to_stage,
            changed_by=who,
            changed_at=h.changed_at,
            note=h.note,
        )
        for h, who in repository.history(db, row.id)
    ]
    return OpportunityDetail(**base.model_dump(), history=moves)


def owners(db: Session, principal: Principal) -> list[tuple[int, str]]:
    """Staff under the caller's unit to filter by (none for an account manager, who sees their own)."""
    if principal.data_scope == "own":
        return []
    return [(u.id, u.display_name) for u in repository.users_under(db, principal.unit_path)]


def products(db: Session) -> list[Product]:
    """The products an opportunity may be for, in catalogue order."""
    return repository.products(db)
