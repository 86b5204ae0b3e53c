"""JSON API for the customer information file and the approval inbox."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, StringConstraints

from bankcrm.access.deps import ApiCustomerReader as Reader
from bankcrm.access.deps import ApiCustomerWriter as Writer
from bankcrm.access.deps import ApiPiiUnmasker as Unmasker
from bankcrm.access.deps import AppSettings, CifNo, Cipher, Db, EntityId, PageNo, PageSize
from bankcrm.customers import schemas
from bankcrm.customers.service import approval, edit, intake, pii, reads, review
from bankcrm.errors import FieldError, ValidationFailed
from bankcrm.kit.i18n import N_
from bankcrm.kit.ids import RowId
from bankcrm.matching.service import sources as match_sources
from bankcrm.web import lists
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["customers"])
TagCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{1,39}$")]
Sort = Annotated[str | None, Query(max_length=200, description="Fields to sort by, '-' for descending: -name,cif_no")]


class ChangeResult(BaseModel):
    """What a PATCH did: the customer now, the fields changed at once, the request filed for the rest."""

    customer: schemas.CustomerRead
    changed: list[str]
    change_request: schemas.ChangeRequestRead | None


@router.get("/customers", response_model=schemas.CustomerPage)
def search_customers(
    db: Db,
    cipher: Cipher,
    caller: Reader,
    q: Annotated[str | None, Query(max_length=100)] = None,
    kind: Literal["individual", "corporate"] | None = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    account_manager_id: RowId | None = None,
    page: PageNo = 1,
    size: PageSize = 25,
    sort: Sort = None,
    source: Annotated[str | None, Query(max_length=40)] = None,
    source_customer_id: Annotated[str | None, Query(max_length=64)] = None,
    tag: Annotated[list[TagCode] | None, Query(max_length=10, description="Tag codes; customers carrying all")] = None,
) -> schemas.CustomerPage:
    """Customers in the caller's data scope; q: CIF no., ID no. or mobile (exact), USCC, name, pinyin.

    ``sort``: cif_no, name, kind, home_unit or status, ``-`` for descending, comma-separated; ties by CIF
    number. A search without ``sort`` lists exact matches first, then by name key.

    ``tag`` (repeatable: ``?tag=HNW&tag=SALARY``): customers carrying every tag named, now.

    ``source`` with ``source_customer_id`` (客户号对照): the customer that source system's own customer
    number is linked to, alone on the page; an empty page when the number is unknown, not linked yet
    (waiting for a checker or reviewer) or the customer is outside the caller's scope (audited).
    """
    if source is not None or source_customer_id is not None:
        if not source or not source_customer_id:
            raise ValidationFailed(
                errors=[FieldError("source_customer_id" if source else "source", N_("A value is required."))]
            )
        cif_no = match_sources.cif_for_key(db, source, source_customer_id)
        found = reads.listed_if_visible(db, caller, cif_no)
        return schemas.CustomerPage(items=found, total=len(found), page=1, size=size)
    order = lists.sort_of(schemas.CUSTOMER_LIST, sort) if sort or not q else None
    result, items = reads.search(
        db,
        caller,
        cipher,
        lists.page_of(schemas.CUSTOMER_LIST, page, size),
        q=q,
        kind=kind,
        status=status,
        account_manager_id=account_manager_id,
        tags=tuple(tag or ()),
        sort=order,
    )
    return schemas.CustomerPage.of(result, items, total_capped=result.capped)


@router.post("/customers/individual", response_model=schemas.ChangeRequestRead, status_code=status.HTTP_202_ACCEPTED)
def create_individual(
    db: Db, cipher: Cipher, settings: AppSettings, caller: Writer, data: schemas.IndividualCreate
) -> schemas.ChangeRequestRead:
    """Submit a new individual customer for approval (202: the customer exists once a checker approves)."""
    return reads.request_read(intake.submit_create(db, caller, cipher, data, settings.timezone))


@router.post("/customers/corporate", response_model=schemas.ChangeRequestRead, status_code=status.HTTP_202_ACCEPTED)
def create_corporate(
    db: Db, cipher: Cipher, settings: AppSettings, caller: Writer, data: schemas.CorporateCreate
) -> schemas.ChangeRequestRead:
    """Submit a new corporate customer for approval."""
    return reads.request_read(intake.submit_create(db, caller, cipher, data, settings.timezone))


@router.get("/customers/{cif_no}", response_model=schemas.CustomerRead)
def get_customer(db: Db, caller: Reader, cif_no: CifNo) -> schemas.CustomerRead:
    """One customer, every section, C2 values masked."""
    return reads.read(db, caller, cif_no)


@router.patch("/customers/{cif_no}", response_model=ChangeResult)
def change_customer(
    db: Db, cipher: Cipher, caller: Writer, cif_no: CifNo, data: schemas.CustomerUpdate
) -> ChangeResult:
    """Change fields: ordinary ones at once, identity ones (name, ID, USCC, ...) as a change request."""
    outcome = edit.change_customer(db, caller, cipher, cif_no, data)
    return ChangeResult(
        customer=reads.read(db, caller, cif_no),
        changed=outcome.changed,
        change_request=reads.request_read(outcome.request) if outcome.request else None,
    )


@router.get("/customers/{cif_no}/history", response_model=list[schemas.FieldChangeRead])
def customer_history(db: Db, caller: Reader, cif_no: CifNo) -> list[schemas.FieldChangeRead]:
    """Every field change, newest first, C2 values masked."""
    return reads.history(db, caller, cif_no)


@router.post("/customers/{cif_no}/unmask", response_model=schemas.UnmaskedValue)
def unmask(
    db: Db,
    cipher: Cipher,
    caller: Unmasker,
    cif_no: CifNo,
    field: Literal["name", "id_no", "legal_rep_name", "contact", "contact_person"],
    item_id: RowId | None = None,
) -> schemas.UnmaskedValue:
    """Reveal one masked value (a contact or contact person by item_id); every reveal is audited."""
    return schemas.UnmaskedValue(field=field, value=pii.unmask(db, caller, cipher, cif_no, field, item_id))


@router.get("/change-requests", response_model=schemas.ChangeRequestPage)
def list_change_requests(
    db: Db,
    caller: Reader,
    status: schemas.RequestStatus | None = schemas.RequestStatus.SUBMITTED,
    page: PageNo = 1,
    size: PageSize = 25,
    sort: Sort = None,
) -> schemas.ChangeRequestPage:
    """Checkers: requests in their units; makers: their own requests; newest first unless ``sort`` says otherwise.

    ``sort``: id, kind, home_unit, maker, submitted_at, decided_at (ties by id).
    """
    spec = schemas.CHANGE_REQUEST_LIST
    result = reads.inbox(db, caller, lists.page_of(spec, page, size), status, lists.sort_of(spec, sort))
    return schemas.ChangeRequestPage.of(result, [reads.request_read(r) for r in result.items])


@router.get("/change-requests/{request_id}", response_model=schemas.ChangeRequestReview)
def get_change_request(
    request: Request, db: Db, cipher: Cipher, caller: Reader, request_id: EntityId
) -> schemas.ChangeRequestReview:
    """One change request (masked), with ``rows``: each field's label and value labels in the request's language."""
    return review.review(db, caller, cipher, request_id, locale_of(request), reveal=False)


@router.post("/change-requests/{request_id}/decision", response_model=schemas.ChangeRequestRead)
def decide(
    db: Db, cipher: Cipher, caller: Reader, request_id: EntityId, decision: schemas.Decision
) -> schemas.ChangeRequestRead:
    """Approve or reject (needs customer.approve; a reason to reject); the maker cannot decide their own."""
    return reads.request_read(approval.decide(db, caller, cipher, request_id, decision))
