"""JSON API: a customer's lifecycle stage and moves; the stage distribution and flows under a unit."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import CifNo, Db
from bankcrm.lifecycle import schemas
from bankcrm.lifecycle.deps import ApiLifecycleReader
from bankcrm.lifecycle.service import distribution as dist
from bankcrm.lifecycle.service import reads
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["lifecycle"])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=MONTH, description="YYYY-MM; default: the newest month evaluated")]
UnitCode = Annotated[str | None, Query(max_length=20, description="Org unit code; default: the caller's own root")]


@router.get("/customers/{cif_no}/lifecycle", response_model=schemas.CustomerLifecycleRead)
def customer_lifecycle(
    request: Request, db: Db, caller: ApiLifecycleReader, cif_no: CifNo
) -> schemas.CustomerLifecycleRead:
    """A customer in scope (404 otherwise, audited): the stage now, since which month, by which rule, and every
    move newest first with the rule and the figures that moved it."""
    return reads.customer(db, caller, cif_no, locale_of(request))


@router.get("/lifecycle/distribution", response_model=schemas.DistributionRead)
def distribution(
    request: Request, db: Db, caller: ApiLifecycleReader, unit: UnitCode = None, month: Month = None
) -> schemas.DistributionRead:
    """Customers in scope homed under the unit per stage of the month, by branch and by value tier, and the flows
    from the month before. A unit outside the caller's subtree is 404 (audited)."""
    chosen = date.fromisoformat(f"{month}-01") if month else None
    return dist.distribution(db, caller, unit, chosen, locale_of(request))
