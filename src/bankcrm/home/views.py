"""The home page per role, its chart data, and the top-bar search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bankcrm.access.deps import AppSettings, AuditReader, Cipher, Db, csrf_protect, web_principal
from bankcrm.access.principal import Principal
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.home import service as home_service
from bankcrm.kit.pagination import PageRequest
from bankcrm.kit.time import BankDay
from bankcrm.tags.service import catalogue as tag_catalogue
from bankcrm.web.templating import locale_of, render

REFER, OPEN_OPPORTUNITY = "lead.refer", "opportunity.write"
router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
SignedIn = Annotated[Principal, Depends(web_principal)]


@router.get("/", response_class=HTMLResponse)
def home(request: Request, db: Db, settings: AppSettings, principal: SignedIn) -> Response:
    """The cards of the modules the viewer may see, each with figures in the viewer's scope as of the bank's today."""
    today = BankDay.now(settings.timezone)
    context = {"user": home_service.me(db, principal), "cards": home_service.cards(db, principal, today)}
    return render(request, "home/index.html", context)


@router.get("/home/sign-ins.json")
def sign_ins_chart(db: Db, settings: AppSettings, principal: AuditReader) -> JSONResponse:
    """Chart data: sign-ins per day over the last 14 days."""
    return JSONResponse(home_service.sign_in_series(db, settings.timezone))


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, db: Db, cipher: Cipher, principal: SignedIn, q: str = "") -> Response:
    """Top-bar search across customers, units and users, inside the viewer's scope."""
    q = q.strip()[:100]
    customers = (
        customer_reads.search(db, principal, cipher, PageRequest(1, 10), q=q)[1]
        if q and principal.can("customer.read")
        else []
    )
    units = unit_service.list_units(db, principal, q)[:20] if q and principal.can("org.read") else []
    users = (
        user_service.list_users(db, principal, PageRequest(1, 20), q=q).items
        if q and principal.can("user.read")
        else []
    )
    template = "home/search_results.html" if request.headers.get("hx-request") else "home/search.html"
    tag_labels = tag_catalogue.labels(db, locale_of(request)) if customers else {}
    context = {
        "q": q,
        "units": units,
        "users": users,
        "customers": customers,
        "tag_labels": tag_labels,
        "can_refer": principal.can(REFER),  # refer a found customer without opening the customer first
        "can_open": principal.can(OPEN_OPPORTUNITY),
    }
    return render(request, template, context)
