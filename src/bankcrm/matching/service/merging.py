"""Merging two customers into one, and undoing it exactly.

A merge runs in the caller's transaction: it snapshots every row naming either customer, moves the
merged customer's rows to the survivor (repository.rows), lets the survivor adopt the chosen field values
(through the customers service, so field history records them), marks the merged customer MERGED, keeps
its CIF number as an alias of the survivor, snapshots again and keeps the difference, encrypted, on the
merge record. Unmerge writes that difference back: every row is as it was before the merge, rows the
merge added are gone, and rows written since that the merge did not touch stay.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.access.service.scope_audit import denied
from bankcrm.audit import service as audit_service
from bankcrm.customers.service import merging as customer_merging
from bankcrm.customers.service import reads as customer_reads
from bankcrm.errors import Conflict, Forbidden, NotFound
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.i18n import N_
from bankcrm.kit.time import today_in, utcnow
from bankcrm.matching.repository import reviews as repository
from bankcrm.matching.repository import rows
from bankcrm.models.customer import Customer
from bankcrm.models.matching import CustomerMerge, CustomerSource, MatchMethod, MatchReview, MatchReviewStatus
from bankcrm.workflow import service as workflow_service

MERGED, UNMERGED = "merged", "unmerged"  # customer_merge.status


def source_record(db: Session, record_id: int) -> CustomerSource | None:
    """One delivered source record."""
    return db.get(CustomerSource, record_id)


def link_source(db: Session, record_id: int, customer_id: int, probability: float) -> None:
    """A reviewer linked a delivered record to a customer."""
    record = db.get(CustomerSource, record_id)
    if record is None:
        raise NotFound(N_("Source record not found."))
    record.customer_id = customer_id
    record.match_method = MatchMethod.REVIEWED
    record.match_probability = probability
    record.updated_at = utcnow()


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def chosen_fields(
    db: Session, cipher: FieldCipher, survivor: Customer, other: Customer, choices: dict[str, str]
) -> list[str]:
    """The fields whose value the survivor takes from the other customer.

    The reviewer's choice per field wins; a field left to the rules keeps the survivor's value, unless
    the survivor has none and the other customer has one (nothing known is lost by a merge).
    """
    taken = []
    for field in customer_merging.FIELDS[survivor.kind]:
        choice = choices.get(field)
        if choice == "other":
            taken.append(field)
        elif choice is None:
            mine = customer_merging.raw_value(db, cipher, survivor, field)
            theirs = customer_merging.raw_value(db, cipher, other, field)
            if _empty(mine) and not _empty(theirs):
                taken.append(field)
    return taken


def merge(
    db: Session,
    principal: Principal,
    cipher: FieldCipher,
    review: MatchReview,
    survivor_cif: str,
    choices: dict[str, str],
    timezone: str,
) -> CustomerMerge:
    """Merge the review's pair into ``survivor_cif`` (see the module docstring); the merge record."""
    ids = {review.customer_id, review.other_customer_id}
    pair = [customer_merging.customer_by_id(db, i) for i in ids if i is not None]
    if len(pair) != 2 or any(c is None for c in pair):
        raise Conflict(N_("Only two customers on file can be merged."))
    survivor = next(c for c in pair if c is not None and c.cif_no == survivor_cif)
    merged = next(c for c in pair if c is not None and c.cif_no != survivor_cif)
    if customer_merging.MERGED_STATUS in (survivor.status, merged.status):
        raise Conflict(N_("One of these customers has been merged into another customer already."))
    survivor_id, merged_id, merged_cif = survivor.id, merged.id, merged.cif_no
    taken = chosen_fields(db, cipher, survivor, merged, choices)
    before = rows.dump(db, {survivor_id, merged_id}, skip_review=review.id)
    record = repository.add_merge(
        db,
        CustomerMerge(
            survivor_id=survivor_id,
            merged_id=merged_id,
            merged_cif_no=merged_cif,
            snapshot_enc="",
            status=MERGED,
            maker_id=review.maker_id,
            checker_id=principal.user_id,
        ),
    )
    moved = rows.repoint(db, merged_id, survivor_id, skip_review=review.id, ended_on=today_in(timezone))
    survivor = customer_merging.customer_by_id(db, survivor_id)  # type: ignore[assignment]
    merged = customer_merging.customer_by_id(db, merged_id)  # type: ignore[assignment]
    adopted = customer_merging.adopt(db, principal, cipher, survivor, merged, taken)
    customer_merging.mark_merged(db, principal, merged)
    repository.add_alias(db, merged_cif, survivor_id, record.id)
    snapshot = rows.difference(before, rows.dump(db, {survivor_id, merged_id}, skip_review=review.id))
    record.snapshot_enc = cipher.encrypt(json.dumps(snapshot), aad_for("customer_merge", "snapshot", record.id))
    rows.mark_dirty(db, {survivor_id, merged_id})
    detail = f"{merged_cif} into {survivor.cif_no}; moved " + ", ".join(f"{t} {n}" for t, n in sorted(moved.items()))
    audit_service.record(
        db,
        Actor.of(principal),
        "customer.merge",
        entity_type="customer",
        entity_id=survivor.cif_no,
        changes={"adopted": adopted},
        detail=detail,
    )
    db.flush()
    return record


def merge_to_undo(db: Session, principal: Principal, cif_no: str) -> CustomerMerge:
    """The merge ``cif_no`` (the merged number or the survivor's) stands for, both customers in scope.

    A survivor with several merges in force undoes the newest first.
    """
    survivor = customer_reads.get_customer(db, principal, cif_no)  # 404, audited, when out of scope
    record = repository.merge_by_cif(db, cif_no)
    if record is None or record.survivor_id != survivor.id:
        merges = repository.merges_of(db, survivor.id)
        record = merges[0] if merges else None
    if record is None:
        raise Conflict(N_("Customer %(cif_no)s has no merge to undo."), params={"cif_no": cif_no})
    if record.merged_id not in customer_reads.visible_ids(db, principal, {record.merged_id}):
        raise NotFound(N_("Customer not found."))
    return record


def unmerge(db: Session, principal: Principal, cipher: FieldCipher, cif_no: str) -> tuple[CustomerMerge, int]:
    """Undo a merge exactly (needs match.approve); refused while a later merge involves either customer."""
    if not principal.can("match.approve"):
        raise Forbidden(audit=denied(principal, f"unmerge customer {cif_no}", "match.approve"))
    record = merge_to_undo(db, principal, cif_no)
    latest = repository.latest_merge(db, {record.survivor_id, record.merged_id})
    if latest is not None and latest.id != record.id:
        raise Conflict(
            N_("A later merge (#%(merge)s) involves these customers: undo it first."), params={"merge": latest.id}
        )
    review = repository.review_of_merge(db, record.id)
    if review is not None:
        workflow_service.move(db, principal, "match_review", review, MatchReviewStatus.UNMERGED)
    snapshot = json.loads(cipher.decrypt(record.snapshot_enc, aad_for("customer_merge", "snapshot", record.id)))
    restored = rows.restore(db, snapshot)
    record = repository.merge_of(db, record.id)  # type: ignore[assignment]
    record.status, record.unmerged_at, record.unmerged_by = UNMERGED, utcnow(), principal.user_id
    rows.mark_dirty(db, {record.survivor_id, record.merged_id})
    survivor = customer_merging.customer_by_id(db, record.survivor_id)
    audit_service.record(
        db,
        Actor.of(principal),
        "customer.unmerge",
        entity_type="customer",
        entity_id=survivor.cif_no if survivor else None,
        detail=f"{record.merged_cif_no} restored from merge {record.id}; {restored} rows",
    )
    db.flush()
    return record, restored


def cif_numbers(db: Session, record: CustomerMerge) -> tuple[str, str]:
    """The survivor's and the merged customer's CIF numbers of a merge."""
    survivor = customer_merging.customer_by_id(db, record.survivor_id)
    assert survivor is not None
    return survivor.cif_no, record.merged_cif_no
