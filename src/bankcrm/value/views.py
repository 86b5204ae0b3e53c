"""HTML pages: the customer page's contribution tab, the value page (roll-ups, Pareto, exports), transfer pricing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bankcrm.access.deps import AppSettings, CifNo, Db, EntityId, csrf_protect
from bankcrm.access.principal import Principal
from bankcrm.catalogue import service as catalogue_service
from bankcrm.errors import FieldError, NotFound, ValidationFailed
from bankcrm.kit.export import to_csv, to_xlsx
from bankcrm.kit.i18n import gettext_for
from bankcrm.kit.money import parse_percent, parse_yuan
from bankcrm.kit.time import today_in
from bankcrm.kit.validators import InvalidValue
from bankcrm.value import schemas
from bankcrm.value.deps import PricingChecker, PricingMaker, ValueReader
from bankcrm.value.service import changes, pricing, reads, rollup
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=MONTH)]
UnitCode = Annotated[str | None, Query(max_length=20)]
By = Annotated[schemas.RollupBy, Query()]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _month(text: str | None) -> date | None:
    return date.fromisoformat(f"{text}-01") if text else None


@router.get("/customers/{cif_no}/tabs/contribution", response_class=HTMLResponse)
def contribution_tab(request: Request, db: Db, principal: ValueReader, cif_no: CifNo, month: Month = None) -> Response:
    """The customer page's tab: the month's lines explained, the total, the 12-month trend (chart and table)."""
    c = reads.customer_month(db, principal, cif_no, _month(month), locale_of(request))
    return render(request, "value/_tab.html", {"c": c})


@router.get("/customers/{cif_no}/contribution/trend.json")
def contribution_trend(
    request: Request, db: Db, principal: ValueReader, cif_no: CifNo, month: Month = None
) -> Response:
    """Chart data: the customer's total contribution per month in yuan (null: not computed)."""
    c = reads.customer_month(db, principal, cif_no, _month(month), locale_of(request))
    return JSONResponse(
        {"months": [t.month for t in c.trend], "values": [None if t.total is None else t.total / 100 for t in c.trend]}
    )


@router.get("/value", response_class=HTMLResponse)
def value_page(
    request: Request, db: Db, principal: ValueReader, unit: UnitCode = None, month: Month = None, by: By = "branch"
) -> Response:
    """The month's contribution under a unit by branch, manager, household or group, and the Pareto curve."""
    r = rollup.rollup(db, principal, unit, _month(month), by, locale_of(request))
    query = f"unit={r.unit}&month={r.month}&by={r.by}"
    return render(request, "value/index.html", {"r": r, "query": query})


@router.get("/value/pareto.json")
def pareto_json(
    request: Request, db: Db, principal: ValueReader, unit: UnitCode = None, month: Month = None, by: By = "branch"
) -> Response:
    """Chart data: share of the total from the top x % of customers."""
    r = rollup.rollup(db, principal, unit, _month(month), by, locale_of(request))
    return JSONResponse({"x": [p.top_pct for p in r.pareto], "share": [p.share_pct for p in r.pareto]})


@router.get("/value/export.{fmt}")
def value_export(
    request: Request,
    db: Db,
    principal: ValueReader,
    fmt: str,
    unit: UnitCode = None,
    month: Month = None,
    by: By = "branch",
) -> Response:
    """The roll-up rows as CSV or XLSX (amounts in yuan); audited."""
    if fmt not in MEDIA:
        raise NotFound(None)
    locale = locale_of(request)
    r = rollup.rollup(db, principal, unit, _month(month), by, locale)
    rollup.record_export(db, principal, r, fmt)
    headers = [gettext_for(locale, h) for h in ("Key", "Name", "Customers", "Contribution (yuan)")]
    rows = [(row.key, row.label, row.customers, row.amount / 100) for row in r.rows]
    body = to_csv(headers, rows) if fmt == "csv" else to_xlsx(headers, rows, sheet="contribution")
    name = f"contribution-{r.unit}-{r.month}-{r.by}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _pricing_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Principal,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    saved: str | None = None,
    code: int = 200,
) -> Response:
    today = today_in(settings.timezone)
    locale = locale_of(request)
    now = pricing.in_force(db, today)
    labels = catalogue_service.code_labels(db, ["ftp_term", "loan_class", "product_category", "txn_channel"], locale)
    context = {
        "p": now,
        "labels": labels,
        "changes": changes.recent(db, principal),
        "values": values or {},
        "saved": saved,
        "today": today,
        "badges": schemas.STATUS_BADGES,
        "status_labels": changes.status_labels(db, locale),
        "can_approve": principal.can(schemas.APPROVE),
        "can_propose": principal.can(schemas.PROPOSE),
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "value/pricing.html", context, status=code)


@router.get("/value/pricing", response_class=HTMLResponse)
def pricing_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: PricingMaker,
    saved: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """The curve and parameters in force, the proposal form, and the changes waiting or decided."""
    return _pricing_page(request, db, settings, principal, saved=saved)


def _proposal(db: Db, today: date, form: dict[str, str]) -> schemas.PricingProposal:
    """The form's figures (percent and yuan as typed) that differ from those in force, as a proposal."""
    errors: list[FieldError] = []
    now = pricing.in_force(db, today)
    rates = now.rates()
    ftp: dict[str, dict[str, int]] = {}
    for currency, curve in rates.items():
        typed: dict[str, int] = {}
        for term in curve:
            key = f"ftp.{currency}.{term}"
            try:
                value = parse_percent(form.get(key, ""))
            except InvalidValue as exc:
                errors.append(FieldError(key, exc.msgid, exc.params))
                continue
            typed[term] = curve[term] if value is None else value
        if typed != curve:
            ftp[currency] = typed
    parts: dict[str, dict[str, int]] = {}
    for part, parse in (("provision", parse_percent), ("service_product", parse_yuan), ("service_txn", parse_yuan)):
        parts[part] = {}
        for code_, old in now.parameters.get(part, {}).items():
            key = f"{part}.{code_}"
            try:
                value = parse(form.get(key, ""))
            except InvalidValue as exc:
                errors.append(FieldError(key, exc.msgid, exc.params))
                continue
            if value is not None and value != old:
                parts[part][code_] = value
    if errors:
        raise ValidationFailed(errors=errors)
    return validated(
        schemas.PricingProposal,
        {"effective_from": form.get("effective_from", ""), "reason": form.get("reason", ""), "ftp": ftp, **parts},
    )


@router.post("/value/pricing/changes")
def propose(request: Request, db: Db, settings: AppSettings, principal: PricingMaker, form: Form) -> Response:
    """A maker's proposal from the form."""
    today = today_in(settings.timezone)
    return submit_form(
        request,
        db,
        lambda: _proposal(db, today, form),
        lambda body: changes.submit(db, principal, body, today=today),
        redirect="/value/pricing?saved=proposed",
        rerender=lambda r: _pricing_page(
            request, db, settings, principal, values=dict(form), problems=r.problems, code=r.status
        ),
    )


@router.post("/value/pricing/changes/{change_id}/decision")
def decide(
    request: Request, db: Db, settings: AppSettings, principal: PricingChecker, change_id: EntityId, form: Form
) -> Response:
    """A checker's approval or rejection."""
    today = today_in(settings.timezone)
    values = {"approve": form.get("approve") == "yes", "reason": form.get("reason") or None}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.Decision, values),
        lambda body: changes.decide(db, principal, change_id, body, today=today),
        redirect="/value/pricing?saved=decided",
        rerender=lambda r: _pricing_page(request, db, settings, principal, problems=r.problems, code=r.status),
    )
