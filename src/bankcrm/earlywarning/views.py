"""HTML: the warnings list (mine, my branch, escalated), a warning with its timeline and the action, outcome,
participant and win-back plan forms; the win-back list and lost-customer analysis; factors; the customer tab."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import AppSettings, CifNo, Db, csrf_protect
from bankcrm.access.service.units import unit_in_scope
from bankcrm.catalogue import service as catalogue_service
from bankcrm.customers.service import reads as customer_reads
from bankcrm.earlywarning import schemas
from bankcrm.earlywarning.deps import WarningAnalyst, WarningReader
from bankcrm.earlywarning.service import analysis, reads, work
from bankcrm.kit.money import parse_yuan
from bankcrm.kit.time import today_in
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import Rejected, submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
View = Annotated[str, Query(pattern="^(mine|branch|escalated)$")]
Status = Annotated[str, Query(pattern="^(open|closed|all)$")]


@router.get("/warnings", response_class=HTMLResponse)
def warnings_page(
    request: Request, db: Db, principal: WarningReader, view: View = "mine", status: Status = "open"
) -> Response:
    """The warnings the reader works: mine, my branch's, escalated; open, closed or all."""
    rows = reads.listing(db, principal, view, status, locale_of(request))
    return render(request, "earlywarning/index.html", {"rows": rows, "view": view, "status": status})


@router.get("/warnings/winback", response_class=HTMLResponse)
def winback_page(request: Request, db: Db, principal: WarningAnalyst) -> Response:
    """Lost and partly retained customers with plan and result after 3 and 6 months; the analysis of the lost."""
    rows = analysis.winback(db, principal)
    context = {"rows": rows, "by": analysis.lost_analysis(rows), "labels": analysis.code_labels(db, locale_of(request))}
    return render(request, "earlywarning/winback.html", context)


@router.get("/warnings/factors", response_class=HTMLResponse)
def factors_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: WarningAnalyst,
    unit: Annotated[str | None, Query(max_length=20)] = None,
    tier: Annotated[str | None, Query(max_length=12)] = None,
    efa: bool = False,
) -> Response:
    """Share of warnings by leading factor and by month under a unit (and tier); the factor analysis on request."""
    chosen = unit_in_scope(db, principal, unit)
    locale = locale_of(request)
    months, shares = analysis.factor_shares(db, principal, chosen.path, tier or None, locale)
    fa = analysis.efa(db, today_in(settings.timezone), locale) if efa else None
    context = {"unit": chosen.code, "tier": tier or "", "months": months, "shares": shares, "efa": fa}
    return render(request, "earlywarning/factors.html", context)


def _detail(request: Request, db: Db, settings: AppSettings, principal: Any, warning_id: int, **extra: Any) -> Response:
    locale = locale_of(request)
    w = reads.detail(db, principal, warning_id, locale, settings.timezone)
    codes = catalogue_service.code_labels(db, ("warning_action", "warning_outcome", "lost_reason"), locale)
    staff = work.staff(db)
    context = {"w": w, "codes": codes, "staff": staff, "problems": {}, "values": {}, "form": None} | extra
    return render(request, "earlywarning/detail.html", context, status=extra.pop("code", 200))


@router.get("/warnings/{warning_id}", response_class=HTMLResponse)
def warning_page(
    request: Request, db: Db, settings: AppSettings, principal: WarningReader, warning_id: int
) -> Response:
    """One warning: reasons, figures, outcome, participants, timeline, and the forms to work it."""
    return _detail(request, db, settings, principal, warning_id)


def _again(
    request: Request, db: Db, settings: AppSettings, principal: Any, warning_id: int, form: str, values: dict[str, str]
) -> Callable[[Rejected], Response]:
    """The warning page again with the form's values and errors."""

    def rerender(r: Rejected) -> Response:
        return _detail(
            request, db, settings, principal, warning_id, problems=r.problems, values=values, form=form, code=r.status
        )

    return rerender


@router.post("/warnings/{warning_id}/actions")
def action_form(
    request: Request, db: Db, settings: AppSettings, principal: WarningReader, warning_id: int, form: Form
) -> Response:
    """Record a contact or plan step from the warning page."""
    values = {k: form.get(k, "").strip() for k in ("action", "contact_on", "note")}
    return submit_form(
        request,
        db,
        lambda: validated(schemas.ActionCreate, {k: v for k, v in values.items() if v}),
        lambda body: work.record_action(db, principal, warning_id, body),
        redirect=f"/warnings/{warning_id}",
        rerender=_again(request, db, settings, principal, warning_id, "action", values),
    )


@router.post("/warnings/{warning_id}/outcome")
def outcome_form(
    request: Request, db: Db, settings: AppSettings, principal: WarningReader, warning_id: int, form: Form
) -> Response:
    """Close the warning with its outcome; amounts typed in yuan."""
    values = {k: form.get(k, "").strip() for k in ("outcome", "retained_amount", "lost_reason", "lost_to_bank", "note")}

    def parse() -> schemas.OutcomeCreate:
        data: dict[str, Any] = {k: v for k, v in values.items() if v}
        if "retained_amount" in data:
            try:
                data["retained_amount"] = parse_yuan(data["retained_amount"])
            except ValueError:
                data["retained_amount"] = "x"  # pydantic names the field
        return validated(schemas.OutcomeCreate, data)

    return submit_form(
        request,
        db,
        parse,
        lambda body: work.record_outcome(db, principal, warning_id, body, today_in(settings.timezone)),
        redirect=f"/warnings/{warning_id}",
        rerender=_again(request, db, settings, principal, warning_id, "outcome", values),
    )


@router.post("/warnings/{warning_id}/participants")
def participant_form(
    request: Request, db: Db, settings: AppSettings, principal: WarningReader, warning_id: int, form: Form
) -> Response:
    """The branch manager brings a product, risk or operations colleague in."""
    values = {"username": form.get("username", "").strip()}
    return submit_form(
        request,
        db,
        lambda: values["username"],
        lambda name: work.add_participant(db, principal, warning_id, name),
        redirect=f"/warnings/{warning_id}",
        rerender=_again(request, db, settings, principal, warning_id, "participant", values),
    )


@router.post("/warnings/{warning_id}/plan")
def plan_form(
    request: Request, db: Db, settings: AppSettings, principal: WarningReader, warning_id: int, form: Form
) -> Response:
    """The win-back plan of a lost or partly retained customer."""
    values = {"plan": form.get("plan", "").strip()}
    return submit_form(
        request,
        db,
        lambda: values["plan"],
        lambda plan: work.set_plan(db, principal, warning_id, plan),
        redirect=f"/warnings/{warning_id}",
        rerender=_again(request, db, settings, principal, warning_id, "plan", values),
    )


@router.get("/customers/{cif_no}/tabs/warnings", response_class=HTMLResponse)
def warnings_tab(request: Request, db: Db, principal: WarningReader, cif_no: CifNo) -> Response:
    """The customer's warnings, newest first (a customer in scope; 404 otherwise)."""
    found = customer_reads.get_customer(db, principal, cif_no)
    rows = reads.listing(db, principal, "branch", "all", locale_of(request), customer_id=found.id)
    return render(request, "earlywarning/_tab.html", {"rows": rows})
