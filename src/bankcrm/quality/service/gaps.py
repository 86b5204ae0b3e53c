"""Customers with gaps: each served customer in the reader's scope with a checked field missing or invalid."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service import users as user_service
from bankcrm.customers.service.names import display_name
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.i18n import N_
from bankcrm.kit.listing import SortSpec, in_memory
from bankcrm.kit.pagination import Page, PageRequest
from bankcrm.quality import repository
from bankcrm.quality.catalogue import KINDS, by_key
from bankcrm.quality.schemas import READ, GapRead
from bankcrm.quality.service import kept
from bankcrm.quality.service.assess import bits, full_mask, missing_and_invalid, version
from bankcrm.quality.service.figures import scope_root


def own_only(principal: Principal) -> bool:
    """An account manager without the quality page sees only the customers they manage."""
    return not principal.can(READ)


def gaps(
    db: Session,
    cipher: FieldCipher,
    principal: Principal,
    today: date,
    locale: str,
    *,
    sort: SortSpec,
    page: PageRequest,
    manager_id: int | None = None,
    field: str | None = None,
    unit_id: int | None = None,
) -> Page[GapRead]:
    """One page of customers with gaps, filtered by account manager, checked field and unit, in ``sort`` order.

    ``field`` (``kind.field``) keeps the customers whose that field is missing or invalid; an unknown one is a 422.
    """
    known = by_key()
    if field is not None and field not in known:
        raise ValidationFailed(errors=[FieldError("field", N_("Choose one of the listed values."))])
    if own_only(principal):
        manager_id = principal.user_id
    under = scope_root(db, principal, unit_id).path if unit_id is not None else None
    only = (known[field].kind, bits()[field]) if field is not None else None
    full = {kind: full_mask(kind) for kind in KINDS}
    entries = repository.gap_rows(
        db, principal, today, version(), full, under_path=under, manager_id=manager_id, only=only
    )
    for data, a in kept.live(db, cipher, principal, today, under_path=under, manager_id=manager_id):
        if a.valid_mask != full[a.kind] and (only is None or (a.kind == only[0] and not a.valid_mask & only[1])):
            entries.append((data.customer, a.complete_mask, a.valid_mask))
    rows = []
    for customer, complete, valid in sorted(entries, key=lambda e: e[0].id):
        missing, invalid = missing_and_invalid(customer.kind, complete, valid)
        unit = customer.home_unit
        rows.append(
            GapRead(
                id=customer.id,
                cif_no=customer.cif_no,
                name=display_name(principal, customer),
                kind=customer.kind,
                unit=unit.code,
                unit_name=unit.name_zh if locale.startswith("zh") else unit.name_en,
                manager_id=customer.account_manager_id,
                manager=None,
                gaps=len(missing) + len(invalid),
                missing=[f.label(locale) for f in missing],
                invalid=[f.label(locale) for f in invalid],
            )
        )
    names = user_service.display_names(db, {r.manager_id for r in rows if r.manager_id is not None})
    rows = [r.model_copy(update={"manager": names.get(r.manager_id)}) if r.manager_id else r for r in rows]
    ordered = in_memory(rows, sort)
    return Page(ordered[page.offset : page.offset + page.size], len(ordered), page.page, page.size)


def managers(db: Session, principal: Principal) -> list[tuple[int, str]]:
    """The account managers the reader may filter by: (user id, display name); only themselves for own-only."""
    if own_only(principal):
        return [(principal.user_id, principal.display_name)] if principal.user_id is not None else []
    return [(u.id, u.display_name) for u in user_service.account_managers(db, principal)]
