"""HTML: the customer page's Sources tab."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import CifNo, Cipher, Db, csrf_protect
from bankcrm.access.deps import MatchReader as Reader
from bankcrm.matching.service import sources
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])


@router.get("/customers/{cif_no}/tabs/sources", response_class=HTMLResponse)
def sources_tab(request: Request, db: Db, cipher: Cipher, principal: Reader, cif_no: CifNo) -> Response:
    """The customer's source records (loaded by htmx): source, its number, match method, first and last seen."""
    rows = sources.customer_sources(db, principal, cipher, cif_no, locale_of(request))
    return render(request, "matching/_sources_tab.html", {"rows": rows})
