"""HTML pages: the Sources tab (with the merges into the customer), the possible-duplicates queue, one review
side by side, undoing a merge (from the review or from the kept customer's page)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bankcrm.access.deps import AppSettings, CifNo, Cipher, Db, EntityId, csrf_protect
from bankcrm.access.deps import MatchApprover as Approver
from bankcrm.access.deps import MatchReader as Reader
from bankcrm.access.principal import Principal
from bankcrm.errors import DomainError
from bankcrm.matching import schemas
from bankcrm.matching.service import merging, reviews, sources
from bankcrm.web import lists
from bankcrm.web.forms import FormValues as Form
from bankcrm.web.forms import Rejected, submit_form
from bankcrm.web.templating import locale_of, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
SPEC = schemas.MATCH_REVIEW_LIST
DEFAULT_STATUS = "open"


@router.get("/match-reviews", response_class=HTMLResponse)
def queue_page(request: Request, db: Db, principal: Reader) -> Response:
    """Reviews in scope, one status at a time (waiting ones first), most probable first."""
    lq = lists.read(request, SPEC)
    tabs = reviews.status_labels(db, locale_of(request))
    status = lq.filters["status"] if lq.filters["status"] in tabs else DEFAULT_STATUS
    kind = lq.filters["kind"] if lq.filters["kind"] in ("arrival", "duplicate") else None
    result, items = reviews.queue(db, principal, lq.page, lq.sort, status=status, kind=kind)
    context = {"result": result, "items": items, "lq": lq, "status": status, "tabs": tabs}
    return render(request, "matching/queue.html", context)


def _page(
    request: Request,
    db: Db,
    principal: Principal,
    review_id: int,
    problems: dict[str, Any] | None = None,
    status: int = 200,
    done: str = "",
) -> Response:
    review = reviews.detail(db, principal, review_id, locale_of(request))
    context = {
        "r": review,
        "status_labels": reviews.status_labels(db, locale_of(request)),
        "done": done,
        **(problems or {"errors": {}, "message": None}),
    }
    return render(request, "matching/review.html", context, status=status)


@router.get("/match-reviews/{review_id}", response_class=HTMLResponse)
def review_page(request: Request, db: Db, principal: Reader, review_id: EntityId, done: str = "") -> Response:
    """Both customers field by field (masked as everywhere), with the decisions the reader may take."""
    return _page(request, db, principal, review_id, done=done if done in ("1", "unmerged") else "")


@router.post("/match-reviews/{review_id}")
def review_decide(
    request: Request, db: Db, cipher: Cipher, settings: AppSettings, principal: Reader, review_id: EntityId, form: Form
) -> Response:
    """Merge (for approval), not the same customer, link; or, for a checker, approve or reject the merge."""

    def parse() -> schemas.MatchDecision:
        choices = {k.removeprefix("field."): v for k, v in form.items() if k.startswith("field.") and v}
        return schemas.MatchDecision(
            decision=form.get("decision") or "",
            survivor=form.get("survivor") or None,
            fields=choices,
            reason=form.get("reason") or None,
        )

    def rerender(rejected: Rejected) -> Response:
        return _page(request, db, principal, review_id, rejected.problems, rejected.status)

    return submit_form(
        request,
        db,
        parse,
        lambda d: reviews.decide(db, principal, cipher, review_id, d, settings.timezone),
        redirect=f"/match-reviews/{review_id}?done=1",
        rerender=rerender,
        catch=(DomainError,),
    )


@router.post("/match-reviews/{review_id}/unmerge")
def review_unmerge(request: Request, db: Db, cipher: Cipher, principal: Approver, review_id: EntityId) -> Response:
    """Undo the merge this review approved: both customers exactly as before."""

    def rerender(rejected: Rejected) -> Response:
        return _page(request, db, principal, review_id, rejected.problems, rejected.status)

    return submit_form(
        request,
        db,
        lambda: reviews.merged_cif(db, principal, review_id),
        lambda cif_no: merging.unmerge(db, principal, cipher, cif_no),
        redirect=f"/match-reviews/{review_id}?done=unmerged",
        rerender=rerender,
        catch=(DomainError,),
    )


@router.get("/customers/{cif_no}/tabs/sources", response_class=HTMLResponse)
def sources_tab(request: Request, db: Db, cipher: Cipher, principal: Reader, cif_no: CifNo) -> Response:
    """The customer's source records (loaded by htmx): source, its number, match method, first and last seen."""
    rows = sources.customer_sources(db, principal, cipher, cif_no, locale_of(request))
    merges = sources.merges_into(db, principal, cif_no)
    return render(request, "matching/_sources_tab.html", {"rows": rows, "merges": merges, "cif_no": cif_no})


@router.post("/customers/{cif_no}/unmerge")
def customer_unmerge(db: Db, cipher: Cipher, principal: Approver, cif_no: CifNo) -> Response:
    """Undo the merge of ``cif_no`` (a number merged into the customer whose page this is, or the survivor's:
    its newest merge), as ``POST /api/v1/customers/{cif_no}/unmerge``: match.approve, one person; then the
    kept customer's page. A refusal (a later merge to undo first) is the error page, nothing written."""
    record, _ = merging.unmerge(db, principal, cipher, cif_no)
    survivor, _merged = merging.cif_numbers(db, record)
    return RedirectResponse(f"/customers/{survivor}?saved=1", status_code=303)
