"""HTML: the lead pool / my leads list, a lead's page with its history and actions, the new-lead form, the CIF
create form prefilled from a prospect, the referrals page (form, progress, leaderboard) and the customer tab."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from bankcrm.access.deps import AppSettings, CifNo, Cipher, Db, EntityId, csrf_protect
from bankcrm.access.principal import Principal
from bankcrm.customers import forms as customer_forms
from bankcrm.customers.schemas import IndividualCreate
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.money import Yuan
from bankcrm.kit.time import today_in
from bankcrm.leads import schemas
from bankcrm.leads.deps import LeadAssigner, LeadCreator, LeadReader, LeadReferrer, LeadWorker
from bankcrm.leads.service import assign, capture, conversion, progress, reads, rota
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import Rejected, no_input, submit_form, typed_fields, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Code = Annotated[str | None, Query(pattern=r"^[A-Z0-9_]{0,40}$")]
PAGE_SIZE = 25
UnitCode = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_-]{1,20}$")]
MONTH = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
NO_PROBLEMS: dict[str, Any] = {"errors": {}, "message": None}
NOT_A_POSITION = N_("A position is a whole number from 0 to 999.")


@router.get("/leads", response_class=HTMLResponse)
def leads_page(
    request: Request,
    db: Db,
    principal: LeadReader,
    status: Code = None,
    source: Code = None,
    interest: Code = None,
    view: Annotated[str, Query(pattern=r"^(all|mine|pool|returned)$")] = "all",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """Leads in scope with filters: all, mine, the pool (unassigned), those returned unaccepted; newest first."""
    locale = locale_of(request)
    filters = {
        "status": status or None,
        "source": source or None,
        "interest": interest or None,
        "mine": view == "mine",
        "unassigned": view == "pool",
        "returned": view == "returned",
    }
    result = reads.lead_page(db, principal, filters, page, PAGE_SIZE, locale)
    returned = (
        reads.lead_page(db, principal, {"returned": True}, 1, 1, locale).total if principal.can(schemas.ASSIGN) else 0
    )
    context = {
        "result": result,
        "view": view,
        "filters": filters,
        "choices": reads.choices(db, locale),
        "statuses": reads.status_labels(db, locale),
        "returned": returned,
    }
    return render(request, "leads/index.html", context)


def _rota_page(
    request: Request,
    db: Db,
    principal: Principal,
    unit: str | None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
    values: dict[str, str] | None = None,
) -> Response:
    locale = locale_of(request)
    u, rotas = rota.unit_rotas(db, principal, unit, locale)
    context = {
        "unit": u,
        "rotas": rotas,
        "staff": rota.candidates(db, u),
        "interests": reads.choices(db, locale)["lead_interest"],
        "values": values or {},
        **(problems or NO_PROBLEMS),
    }
    return render(request, "leads/rota.html", context, status=code)


@router.get("/leads/rota", response_class=HTMLResponse)
def rota_page(request: Request, db: Db, principal: LeadAssigner, unit: UnitCode = None) -> Response:
    """The unit's round robins (who takes its leads, per interest, in what order) with a form to change one."""
    return _rota_page(request, db, principal, unit)


@router.post("/leads/rota")
def rota_save(request: Request, db: Db, principal: LeadAssigner, form: Form) -> Response:
    """Set one round robin of the unit: the ticked staff in the order of their positions (audited)."""
    unit, interest = form.get("unit", ""), form.get("interest", "") or None

    def parse() -> list[int]:
        picked, errors = [], []
        for key in form:
            if key.startswith("on.") and key[3:].isdigit():
                raw = form.get(f"pos.{key[3:]}", "").strip() or "999"
                if not raw.isdigit() or int(raw) > 999:
                    errors.append(FieldError(f"pos.{key[3:]}", NOT_A_POSITION))
                else:
                    picked.append((int(raw), int(key[3:])))
        if errors:
            raise ValidationFailed(errors=errors)
        return [user_id for _, user_id in sorted(picked)]

    return submit_form(
        request,
        db,
        parse,
        lambda ids: rota.edit(db, principal, unit, interest, ids),
        redirect=f"/leads/rota?unit={unit}",
        rerender=lambda r: _rota_page(request, db, principal, unit, r.problems, r.status, dict(form)),
    )


def _new_form(
    request: Request, db: Db, values: dict[str, str], problems: dict[str, Any] | None = None, code: int = 200
) -> Response:
    context = {"values": values, "choices": reads.choices(db, locale_of(request)), **(problems or NO_PROBLEMS)}
    return render(request, "leads/new.html", context, status=code)


@router.get("/leads/new", response_class=HTMLResponse)
def lead_new(request: Request, db: Db, principal: LeadCreator) -> Response:
    """An empty form for a lead: a customer's interest (CIF number) or a prospect's name and phone."""
    return _new_form(request, db, {"source": "OWN"})


FIELDS = ("source", "interest", "cif_no", "name", "phone", "id_type", "id_no", "note", "unit")


@router.post("/leads/new")
def lead_create(
    request: Request, db: Db, cipher: Cipher, settings: AppSettings, principal: LeadCreator, form: Form
) -> Response:
    """Record the lead and go to its page, or show the form again with each error at its field."""
    values = {k: form.get(k, "").strip() for k in (*FIELDS, "amount")}

    def parse() -> schemas.LeadCreate:
        data: dict[str, Any] = {k: values[k] for k in FIELDS if values[k]}
        data |= {k: v for k, v in typed_fields(values, amount=Yuan).items() if v is not None}
        return validated(schemas.LeadCreate, data)

    return submit_form(
        request,
        db,
        parse,
        lambda data: capture.create(db, principal, cipher, data, settings.timezone),
        redirect=lambda lead: f"/leads/{lead.id}",
        rerender=lambda r: _new_form(request, db, values, r.problems, r.status),
    )


def _detail(
    request: Request,
    db: Db,
    principal: Principal,
    lead_id: int,
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    locale = locale_of(request)
    lead = reads.detail(db, principal, lead_id, locale)
    context = {
        "lead": lead,
        "choices": reads.choices(db, locale),
        "mine": lead.assignee == principal.username,
        "managers": assign.managers_for(db, principal) if principal.can(schemas.ASSIGN) else [],
        **(problems or NO_PROBLEMS),
    }
    return render(request, "leads/detail.html", context, status=code)


@router.get("/leads/{lead_id}", response_class=HTMLResponse)
def lead_page(request: Request, db: Db, principal: LeadReader, lead_id: EntityId) -> Response:
    """One lead in scope (404 otherwise) with its history and the actions the reader may take."""
    return _detail(request, db, principal, lead_id)


def _act(request: Request, db: Db, principal: Principal, lead_id: int, parse: Any, save: Any) -> Response:
    return submit_form(
        request,
        db,
        parse,
        save,
        redirect=f"/leads/{lead_id}",
        rerender=lambda r: _detail(request, db, principal, lead_id, r.problems, r.status),
    )


@router.post("/leads/{lead_id}/accept")
def lead_accept(request: Request, db: Db, principal: LeadWorker, lead_id: EntityId) -> Response:
    """Accept one's assigned lead."""
    return _act(request, db, principal, lead_id, no_input, lambda _: assign.accept(db, principal, lead_id))


@router.post("/leads/{lead_id}/status")
def lead_move(request: Request, db: Db, principal: LeadWorker, lead_id: EntityId, form: Form) -> Response:
    """Mark one's lead contacted, qualified or disqualified (with a reason)."""
    values = {k: form.get(k, "").strip() for k in ("status", "reason", "note")}
    return _act(
        request,
        db,
        principal,
        lead_id,
        lambda: validated(schemas.LeadMove, {k: v for k, v in values.items() if v}),
        lambda data: progress.move(db, principal, lead_id, data),
    )


@router.post("/leads/{lead_id}/assign")
def lead_assign(
    request: Request, db: Db, settings: AppSettings, principal: LeadAssigner, lead_id: EntityId, form: Form
) -> Response:
    """Assign or reassign the lead to an account manager."""
    values = {"username": form.get("username", "").strip()}
    return _act(
        request,
        db,
        principal,
        lead_id,
        lambda: validated(schemas.LeadAssign, values),
        lambda data: assign.reassign(db, principal, lead_id, data.username, settings.timezone),
    )


@router.post("/leads/{lead_id}/convert")
def lead_convert(
    request: Request,
    db: Db,
    cipher: Cipher,
    settings: AppSettings,
    principal: LeadWorker,
    lead_id: EntityId,
    form: Form,
) -> Response:
    """Convert the qualified lead to an existing customer (CIF number), its own customer, or its approved one."""
    values = {"cif_no": form.get("cif_no", "").strip()}
    return _act(
        request,
        db,
        principal,
        lead_id,
        lambda: validated(schemas.LeadConvert, {k: v for k, v in values.items() if v}),
        lambda data: conversion.convert(db, principal, cipher, lead_id, data, settings.timezone),
    )


def _customer_form(
    request: Request,
    db: Db,
    principal: Principal,
    lead_id: int,
    values: dict[str, str],
    problems: dict[str, Any] | None = None,
    code: int = 200,
) -> Response:
    context = {
        "kind": "individual",
        "values": values,
        "candidates": [],
        "form_action": f"/leads/{lead_id}/customer",
        **conversion.form_choices(db, principal, locale_of(request)),
        **(problems or NO_PROBLEMS),
    }
    return render(request, "customers/form.html", context, status=code)


@router.get("/leads/{lead_id}/customer", response_class=HTMLResponse)
def lead_customer_form(request: Request, db: Db, cipher: Cipher, principal: LeadWorker, lead_id: EntityId) -> Response:
    """The CIF's create form, prefilled from the qualified prospect (the reveal of phone and ID is audited)."""
    _, values = conversion.prefill(db, principal, cipher, lead_id)
    return _customer_form(request, db, principal, lead_id, values)


@router.post("/leads/{lead_id}/customer")
def lead_customer_submit(
    request: Request,
    db: Db,
    cipher: Cipher,
    settings: AppSettings,
    principal: LeadWorker,
    lead_id: EntityId,
    form: Form,
) -> Response:
    """File the new customer for a checker (maker-checker as usual); the lead converts when it is approved."""
    return submit_form(
        request,
        db,
        lambda: validated(IndividualCreate, customer_forms.to_payload("individual", form)),
        lambda data: conversion.convert(
            db, principal, cipher, lead_id, schemas.LeadConvert(customer=data), settings.timezone
        ),
        redirect=f"/leads/{lead_id}",
        rerender=lambda r: _customer_form(request, db, principal, lead_id, form, r.problems, r.status),
    )


def _referrals(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: Principal,
    month: str | None,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
    made: int | None = None,
) -> Response:
    locale = locale_of(request)
    chosen = date.fromisoformat(f"{month}-01") if month else today_in(settings.timezone).replace(day=1)
    mine, points_each, points = reads.my_referrals(db, principal, locale)
    unit, board = reads.leaderboard(db, principal, chosen, None, locale)
    context = {
        "mine": mine,
        "points_each": points_each,
        "points": points,
        "board": board,
        "unit": unit,
        "month": f"{chosen:%Y-%m}",
        "values": values or {},
        "made": made,
        "choices": reads.choices(db, locale),
        **(problems or NO_PROBLEMS),
    }
    return render(request, "leads/referrals.html", context, status=code)


@router.get("/referrals", response_class=HTMLResponse)
def referrals_page(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: LeadReferrer,
    month: Annotated[str | None, Query(pattern=MONTH)] = None,
    made: Annotated[int | None, Query(ge=1)] = None,
    cif_no: Annotated[str | None, Query(pattern=r"^[0-9]{11}$")] = None,
) -> Response:
    """Refer a customer, follow one's referrals and points, and the branch's leaderboard for the month."""
    return _referrals(request, db, settings, principal, month, {"cif_no": cif_no or ""}, made=made)


@router.post("/referrals")
def referral_create(
    request: Request, db: Db, cipher: Cipher, settings: AppSettings, principal: LeadReferrer, form: Form
) -> Response:
    """Refer a customer (from this page or the customer tab); back to where it came from."""
    values = {k: form.get(k, "").strip() for k in ("cif_no", "interest", "note")}
    back = form.get("back", "")
    tab = back == "tab" and values["cif_no"].isdigit()

    def rerender(r: Rejected) -> Response:
        if tab:
            return _tab(request, db, principal, values["cif_no"], values, r.problems, r.status)
        return _referrals(request, db, settings, principal, None, values, r.problems, r.status)

    return submit_form(
        request,
        db,
        lambda: validated(schemas.ReferralCreate, {k: v for k, v in values.items() if v}),
        lambda data: capture.refer(db, principal, cipher, data, settings.timezone),
        redirect=lambda lead: (
            f"/customers/{values['cif_no']}/tabs/leads?made={lead.id}" if tab else f"/referrals?made={lead.id}"
        ),
        rerender=rerender,
    )


def _tab(
    request: Request,
    db: Db,
    principal: Principal,
    cif_no: str,
    values: dict[str, str] | None = None,
    problems: dict[str, Any] | None = None,
    code: int = 200,
    made: int | None = None,
) -> Response:
    locale = locale_of(request)
    cif, leads = reads.customer_leads(db, principal, cif_no, locale)
    context = {
        "cif_no": cif,
        "leads": leads,
        "choices": reads.choices(db, locale),
        "values": values or {},
        "made": made,
        **(problems or NO_PROBLEMS),
    }
    return render(request, "leads/_tab.html", context, status=code)


@router.get("/customers/{cif_no}/tabs/leads", response_class=HTMLResponse)
def customer_leads_tab(
    request: Request, db: Db, principal: LeadReader, cif_no: CifNo, made: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    """The customer tab: refer the customer in one click per interest, and the customer's leads in scope."""
    return _tab(request, db, principal, cif_no, made=made)
