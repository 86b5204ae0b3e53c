"""HTML: the models page (cards), one model's card, the backtest page, the customer page's churn tab."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import CifNo, Db, EntityId, csrf_protect
from bankcrm.churn.deps import ModelsReader
from bankcrm.churn.service import backtest as backtest_service
from bankcrm.churn.service import reads
from bankcrm.kit.i18n import gettext_for
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=MONTH)]


@router.get("/models", response_class=HTMLResponse)
def models_page(request: Request, db: Db, principal: ModelsReader) -> Response:
    """Every churn model, newest first, with its AUC beside the recency rule and why it was (not) promoted."""
    return render(request, "churn/index.html", {"models": reads.models(db, principal, locale_of(request))})


@router.get("/models/backtest", response_class=HTMLResponse)
def backtest_page(request: Request, db: Db, principal: ModelsReader, month: Month = None) -> Response:
    """A month's backtest of the champion: precision, recall and lift at top k against the recency rule."""
    reads.require(principal)
    result, error = None, None
    if month:
        try:
            result = backtest_service.backtest(db, date.fromisoformat(f"{month}-01"))
        except backtest_service.BacktestError as exc:
            error = gettext_for(locale_of(request), str(exc))
    return render(request, "churn/backtest.html", {"b": result, "error": error, "month": month or ""})


@router.get("/models/{model_id}", response_class=HTMLResponse)
def model_page(request: Request, db: Db, principal: ModelsReader, model_id: EntityId) -> Response:
    """One model's card."""
    return render(request, "churn/model.html", {"m": reads.model(db, principal, model_id, locale_of(request))})


@router.get("/customers/{cif_no}/tabs/churn", response_class=HTMLResponse)
def churn_tab(request: Request, db: Db, principal: ModelsReader, cif_no: CifNo) -> Response:
    """The churn tab of a customer in scope (404 otherwise): probability by month and the reasons in words."""
    return render(request, "churn/_tab.html", {"c": reads.customer(db, principal, cif_no, locale_of(request))})
