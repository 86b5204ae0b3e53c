"""JSON API of source records and cross-references (客户号对照)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from bankcrm.access.deps import ApiMatchReader as Reader
from bankcrm.access.deps import CifNo, Cipher, Db
from bankcrm.matching.schemas import SourceRecordRead
from bankcrm.matching.service import sources
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["matching"])


@router.get("/customers/{cif_no}/sources", response_model=list[SourceRecordRead])
def customer_sources(request: Request, db: Db, cipher: Cipher, caller: Reader, cif_no: CifNo) -> list[SourceRecordRead]:
    """The customer's records in the source systems: source, its customer number, how linked, first and last
    seen, delivered values masked. A customer outside the caller's scope is 404 (audited)."""
    return sources.customer_sources(db, caller, cipher, cif_no, locale_of(request))
