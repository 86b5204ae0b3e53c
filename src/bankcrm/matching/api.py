"""JSON API: source records (客户号对照), the match review queue, decisions on a review, undoing a merge."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from bankcrm.access.deps import ApiMatchApprover as Approver
from bankcrm.access.deps import ApiMatchReader as Reader
from bankcrm.access.deps import AppSettings, CifNo, Cipher, Db, EntityId, PageNo, PageSize
from bankcrm.matching import schemas
from bankcrm.matching.schemas import SourceRecordRead
from bankcrm.matching.service import merging, reviews, sources
from bankcrm.web import lists
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["matching"])
SPEC = schemas.MATCH_REVIEW_LIST


@router.get("/match-reviews", response_model=schemas.MatchReviewPage)
def list_reviews(
    db: Db,
    caller: Reader,
    status: Annotated[str | None, Query(max_length=20)] = None,
    kind: Literal["arrival", "duplicate"] | None = None,
    page: PageNo = 1,
    size: PageSize = 25,
    sort: Annotated[str | None, Query(max_length=200)] = None,
) -> schemas.MatchReviewPage:
    """Reviews whose customers lie in the caller's data scope, most probable first.

    ``sort``: id, probability, kind, status, created_at (``-`` for descending); ties by id.
    """
    result, items = reviews.queue(
        db, caller, lists.page_of(SPEC, page, size), lists.sort_of(SPEC, sort), status=status, kind=kind
    )
    return schemas.MatchReviewPage.of(result, items)


@router.get("/match-reviews/{review_id}", response_model=schemas.MatchReviewDetail)
def get_review(request: Request, db: Db, caller: Reader, review_id: EntityId) -> schemas.MatchReviewDetail:
    """One review: both customers' fields side by side (masked), each field's comparison level, the probability."""
    return reviews.detail(db, caller, review_id, locale_of(request))


@router.post("/match-reviews/{review_id}/decision", response_model=schemas.MatchReviewDetail)
def decide(
    request: Request,
    db: Db,
    cipher: Cipher,
    settings: AppSettings,
    caller: Reader,
    review_id: EntityId,
    decision: schemas.MatchDecision,
) -> schemas.MatchReviewDetail:
    """``merge`` (match.review; survivor and per-field choices) waits for a checker; ``distinct`` is remembered;
    ``link`` attaches a delivered record; ``approve``/``reject`` (match.approve, not the maker) decide a merge."""
    reviews.decide(db, caller, cipher, review_id, decision, settings.timezone)
    return reviews.detail(db, caller, review_id, locale_of(request))


@router.post("/customers/{cif_no}/unmerge", response_model=schemas.UnmergeResult)
def unmerge(db: Db, cipher: Cipher, caller: Approver, cif_no: CifNo) -> schemas.UnmergeResult:
    """Undo the merge of ``cif_no`` (the merged number or the survivor's): both customers exactly as before."""
    record, restored = merging.unmerge(db, caller, cipher, cif_no)
    survivor, merged = merging.cif_numbers(db, record)
    return schemas.UnmergeResult(survivor=survivor, restored=merged, rows=restored)


@router.get("/customers/{cif_no}/sources", response_model=list[SourceRecordRead])
def customer_sources(request: Request, db: Db, cipher: Cipher, caller: Reader, cif_no: CifNo) -> list[SourceRecordRead]:
    """The customer's records in the source systems: source, its customer number, how linked, first and last
    seen, delivered values masked. A customer outside the caller's scope is 404 (audited)."""
    return sources.customer_sources(db, caller, cipher, cif_no, locale_of(request))
