"""HTML pages: customer list and search, create, detail with tabs, edit, approval inbox, unmask."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from bankcrm.access.deps import AppSettings, CifNo, Cipher, Db, EntityId, csrf_protect
from bankcrm.access.deps import CustomerReader as Reader
from bankcrm.access.deps import CustomerWriter as Writer
from bankcrm.access.deps import PiiUnmasker as Unmasker
from bankcrm.access.principal import SYSTEM_PRINCIPAL, Principal
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.catalogue import service as catalogue
from bankcrm.customers import fields, forms, schemas
from bankcrm.customers.service import approval, edit, intake, pii, reads, review
from bankcrm.customers.service.errors import PossibleDuplicates
from bankcrm.errors import DomainError
from bankcrm.kit import documents
from bankcrm.kit.i18n import gettext_for
from bankcrm.kit.pagination import PageRequest
from bankcrm.modules import customer_tabs
from bankcrm.tags.service import catalogue as tag_catalogue
from bankcrm.web import lists
from bankcrm.web.errors import invalid
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import Rejected, submit_form, validated
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
SPEC = schemas.CUSTOMER_LIST
REQUESTS = schemas.CHANGE_REQUEST_LIST


def _choices(db: Db, request: Request, principal: Principal) -> dict[str, Any]:
    """Code tables, units and account managers the forms offer."""
    codes = catalogue.code_tables(db, reads.CATEGORIES)
    # Only a merge makes a customer MERGED: the forms never offer it.
    codes["customer_status"] = [c for c in codes["customer_status"] if c.code != "MERGED"]
    return {
        "labels": reads.code_labels(db, locale_of(request)),
        "codes": codes,
        "field_labels": fields.FIELD_LABELS,
        "units": unit_service.units_for_write(db, principal),
        "managers": user_service.account_managers(db, principal),
    }


@router.get("/customers", response_class=HTMLResponse)
def customers_page(request: Request, db: Db, cipher: Cipher, principal: Reader) -> Response:
    """Search, sort and list customers in scope (a search keeps its relevance order until a header is clicked)."""
    lq = _list_query(request)
    result, items = reads.search(db, principal, cipher, lq.page, sort=lq.sort, **_search_filters(lq))
    context = {
        "result": result,
        "items": items,
        "lq": lq,
        "params": lq.params(),
        "labels": reads.code_labels(db, locale_of(request)),
        # Merged customers are out of the list: their numbers find the survivor.
        "statuses": [c for c in catalogue.code_table(db, "customer_status") if c.code != "MERGED"],
        "tag_choices": tag_catalogue.active_tags(db),
        "tag_labels": tag_catalogue.labels(db, locale_of(request)),
    }
    template = "customers/table.html" if request.headers.get("hx-request") else "customers/list.html"
    return render(request, template, context)


@router.get("/customers/export.{fmt}")
def customers_export(request: Request, db: Db, cipher: Cipher, principal: Reader, fmt: str) -> Response:
    """The search result in the list's order as CSV or XLSX, masked like the screen; the export is audited."""
    lq = _list_query(request)
    page = PageRequest(1, SPEC.export_limit)
    _, items = reads.search(db, principal, cipher, page, sort=lq.sort, cap=SPEC.export_limit, **_search_filters(lq))
    f = lq.filters
    detail = (
        f"q={f['q'] or ''!r} kind={f['kind'] or ''} status={f['status'] or ''} tag={f['tag'] or ''} "
        f"sort={lq.sort.param}"
    )
    return lists.export(request, db, principal, SPEC, fmt, items, detail=detail)


def _list_query(request: Request) -> lists.ListQuery:
    q = request.query_params.get("q", "").strip()
    return lists.read(request, SPEC, default_sort="" if q else None)


def _search_filters(lq: lists.ListQuery) -> dict[str, Any]:
    f = lq.filters
    return {"q": f["q"], "kind": f["kind"], "status": f["status"], "tags": tag_codes(f["tag"])}


def tag_codes(text: str | None) -> tuple[str, ...]:
    """The tag codes of a ``tag`` filter: comma-separated, at most ten (an unknown code simply matches no one)."""
    return tuple(dict.fromkeys(c.strip().upper() for c in (text or "").split(",") if c.strip()))[:10]


@router.get("/customers/new", response_class=HTMLResponse)
def customer_new(request: Request, db: Db, principal: Writer, kind: str = "individual") -> Response:
    """An empty create form for an individual or a corporate customer."""
    kind = "corporate" if kind == "corporate" else "individual"
    values = {"status": "ACTIVE", "nationality": "CN", "capital_currency": "CNY", "id_type": "RIC"}
    return _create_form(request, db, principal, kind, values)


def _create_form(
    request: Request,
    db: Db,
    principal: Principal,
    kind: str,
    values: dict[str, Any],
    problems: dict[str, Any] | None = None,
    status: int = 200,
    candidates: list[schemas.CustomerSummary] | None = None,
) -> Response:
    context = {
        "kind": kind,
        "values": values,
        "candidates": candidates or [],
        **_choices(db, request, principal),
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "customers/form.html", context, status=status)


@router.post("/customers/new")
def customer_create(
    request: Request, db: Db, cipher: Cipher, settings: AppSettings, principal: Writer, form: Form
) -> Response:
    """Submit the new customer for approval, or show the form again with every error at its field."""
    kind = "corporate" if form.get("kind") == "corporate" else "individual"
    model = schemas.CorporateCreate if kind == "corporate" else schemas.IndividualCreate

    def parse() -> schemas.IndividualCreate | schemas.CorporateCreate:
        try:
            return model.model_validate(forms.to_payload(kind, form))
        except ValidationError as exc:
            failed = invalid(exc)
            # Show the identifier checks too, so the user fixes everything in one round.
            failed.errors += intake.check_identifiers(form, {e.field for e in failed.errors})
            raise failed from exc

    def rerender(rejected: Rejected) -> Response:
        exc = rejected.error
        candidates = reads.summaries(db, principal, exc.candidates) if isinstance(exc, PossibleDuplicates) else None
        return _create_form(request, db, principal, kind, form, rejected.problems, rejected.status, candidates)

    return submit_form(
        request,
        db,
        parse,
        lambda data: intake.submit_create(db, principal, cipher, data, settings.timezone),
        redirect=lambda change: f"/approvals/{change.id}?submitted=1",
        rerender=rerender,
        catch=(DomainError,),
    )


@router.post("/customers/check/{field}", response_class=HTMLResponse)
def check_field(request: Request, db: Db, cipher: Cipher, principal: Writer, field: str, form: Form) -> Response:
    """Inline (htmx) check of one identifier while the form is filled in; names a customer in scope holding it."""
    message = intake.check_one(field, form)
    text = gettext_for(locale_of(request), message[0], message[1]) if message else ""
    on_file = None if message else intake.on_file(db, principal, cipher, field, form)
    return render(request, "customers/field_check.html", {"field": field, "text": text, "on_file": on_file})


def module_tabs(principal: Principal, kind: str, cif_no: str) -> list[dict[str, str]]:
    """Other modules' tabs for this customer that the principal may open: key, label (message id), path."""
    return [
        {"key": t.key, "label": t.label, "path": t.path.format(cif_no=cif_no)}
        for t in customer_tabs(kind)
        if principal.can(t.permission)
    ]


def _detail(request: Request, db: Db, principal: Principal, cif_no: str, **extra: Any) -> Response:
    customer = reads.read(db, principal, cif_no)
    context = {
        "c": customer,
        "module_tabs": module_tabs(principal, customer.kind, customer.cif_no),
        "history": review.history(db, principal, cif_no, locale_of(request)),
        "labels": reads.code_labels(db, locale_of(request)),
        "countries": documents.country_names(locale_of(request)),
        **extra,
    }
    return render(request, "customers/detail.html", context)


@router.get("/customers/{cif_no}", response_class=HTMLResponse)
def customer_page(
    request: Request, db: Db, principal: Reader, cif_no: CifNo, saved: str = "", merged_from: str = ""
) -> Response:
    """One customer with tabs: profile, work, family, contacts, licence, history.

    A merged CIF number redirects to its survivor, which notes the number it was found by."""
    survivor = reads.merged_into(db, cif_no)
    if survivor is not None and survivor != cif_no:
        reads.get_customer(db, principal, cif_no)  # 404 (audited) when the survivor is out of scope
        return RedirectResponse(f"/customers/{survivor}?merged_from={cif_no}", status_code=303)
    shown = merged_from if len(merged_from) == 11 and merged_from.isdigit() else ""  # shaped as CifNo
    return _detail(request, db, principal, cif_no, saved=saved, merged_from=shown)


@router.post("/customers/{cif_no}/unmask", response_class=HTMLResponse)
def customer_unmask(
    request: Request,
    db: Db,
    cipher: Cipher,
    principal: Unmasker,
    cif_no: CifNo,
    field: str,
    item_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """Reveal one value in place (htmx); audited."""
    value = pii.unmask(db, principal, cipher, cif_no, field, item_id)
    return render(request, "customers/unmasked.html", {"value": value})


@router.get("/customers/{cif_no}/edit", response_class=HTMLResponse)
def customer_edit(request: Request, db: Db, cipher: Cipher, principal: Writer, cif_no: CifNo) -> Response:
    """The edit form; identity fields are marked as needing approval."""
    customer = reads.read(db, principal, cif_no)
    values = forms.prefill(customer.kind, edit.form_values(db, principal, cipher, cif_no))
    return _edit_form(request, db, principal, customer, values)


def _edit_form(
    request: Request,
    db: Db,
    principal: Principal,
    customer: schemas.CustomerRead,
    values: dict[str, Any],
    problems: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    choices = _choices(db, request, principal)
    home = customer.profile.get("home_unit_id")
    if isinstance(home, int) and all(u.id != home for u in choices["units"]):
        # A customer outside the editor's units (co-managed from another branch): offer its own unit too,
        # chosen, or the browser sends the editor's first unit and saving any field asks to move the customer.
        choices["units"] = [unit_service.get_unit(db, SYSTEM_PRINCIPAL, home), *choices["units"]]
    context = {
        "c": customer,
        "kind": customer.kind,
        "values": values,
        "identity": schemas.IDENTITY_FIELDS,
        **choices,
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "customers/edit.html", context, status=status)


@router.post("/customers/{cif_no}/edit")
def customer_update(request: Request, db: Db, cipher: Cipher, principal: Writer, cif_no: CifNo, form: Form) -> Response:
    """Apply ordinary changes now and file identity changes for approval."""
    customer = reads.read(db, principal, cif_no)
    current = edit.form_values(db, principal, cipher, cif_no)
    kept = edit.kept_values(db, principal, cipher, cif_no)
    return submit_form(
        request,
        db,
        lambda: validated(schemas.CustomerUpdate, forms.to_update(customer.kind, form, current, kept)),
        lambda data: edit.change_customer(db, principal, cipher, cif_no, data),
        redirect=lambda outcome: f"/customers/{cif_no}?saved={'pending' if outcome.request else '1'}",
        rerender=lambda r: _edit_form(request, db, principal, customer, form, r.problems, r.status),
        catch=(DomainError,),
    )


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, db: Db, principal: Reader) -> Response:
    """Checkers: requests waiting in their units; makers: their own requests; sortable by column."""
    lq = lists.read(request, REQUESTS)
    status = _inbox_status(lq)
    result = reads.inbox(db, principal, lq.page, status, lq.sort)
    items = [reads.request_read(r) for r in result.items]
    tabs = approval.status_labels(db, locale_of(request))
    context = {"result": result, "items": items, "status": status, "tabs": tabs, "lq": lq}
    return render(request, "customers/approvals.html", context)


@router.get("/approvals/export.{fmt}")
def approvals_export(request: Request, db: Db, principal: Reader, fmt: str) -> Response:
    """The inbox (one status, the list's order) as CSV or XLSX; values stay out; audited."""
    lq = lists.read(request, REQUESTS)
    status = _inbox_status(lq)
    result = reads.inbox(db, principal, PageRequest(1, REQUESTS.export_limit), status, lq.sort)
    items = [reads.request_read(r) for r in result.items]
    detail = f"status={status} sort={lq.sort.param}"
    return lists.export(request, db, principal, REQUESTS, fmt, items, detail=detail)


def _inbox_status(lq: lists.ListQuery) -> str:
    """The page's lenient reading: any other status shows the waiting requests."""
    status = lq.filters["status"]
    return status if status in {s.value for s in schemas.RequestStatus} else schemas.RequestStatus.SUBMITTED.value


def _status_context(
    request: Request, db: Db, principal: Principal, change: schemas.ChangeRequestRead
) -> dict[str, Any]:
    """The status badge (catalogue label, colour) and whether the decision form shows."""
    return {
        "status_labels": approval.status_labels(db, locale_of(request)),
        "badges": schemas.STATUS_BADGES,
        "can_decide": approval.can_decide(db, principal, change.status),
    }


@router.get("/approvals/{request_id}", response_class=HTMLResponse)
def approval_page(
    request: Request, db: Db, cipher: Cipher, principal: Reader, request_id: EntityId, submitted: int = 0
) -> Response:
    """One change request, every field labelled, with the decision form for checkers (clear values audited)."""
    change = review.review(db, principal, cipher, request_id, locale_of(request))
    return render(
        request,
        "customers/approval.html",
        {
            "r": change,
            "submitted": submitted,
            "errors": {},
            "message": None,
            **_status_context(request, db, principal, change),
        },
    )


@router.post("/approvals/{request_id}")
def approval_decide(
    request: Request, db: Db, cipher: Cipher, principal: Reader, request_id: EntityId, form: Form
) -> Response:
    """Approve or reject; errors come back on the same page."""

    def rerender(rejected: Rejected) -> Response:
        change = review.review(db, principal, cipher, request_id, locale_of(request))
        context = {"r": change, "submitted": 0, **rejected.problems, **_status_context(request, db, principal, change)}
        return render(request, "customers/approval.html", context, status=rejected.status)

    return submit_form(
        request,
        db,
        lambda: schemas.Decision(approve=form.get("decision") == "approve", reason=form.get("reason") or None),
        lambda decision: approval.decide(db, principal, cipher, request_id, decision),
        redirect=f"/approvals/{request_id}",
        rerender=rerender,
    )
