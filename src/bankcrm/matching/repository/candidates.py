"""Reading customers as the matcher compares them, and the match review rows it writes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from bankcrm.kit import documents
from bankcrm.kit.crypto import FieldCipher, aad_for
from bankcrm.kit.search_keys import MAX_KEY
from bankcrm.models.customer import (
    CorporateProfile,
    Customer,
    CustomerContact,
    CustomerSearchKey,
    IndividualProfile,
)
from bankcrm.models.matching import MatchDistinct, MatchReview, MatchReviewKind, MatchReviewStatus

# The columns of a customer frame: the feed's, keyed by ``unique_id`` = customer id.
FRAME_SCHEMA: dict[str, Any] = {
    "unique_id": pl.Int64,
    "kind": pl.String,
    "name": pl.String,
    "birth_date": pl.Date,
    "gender": pl.String,
    "mobile": pl.String,
    "address": pl.String,
    "employer": pl.String,
    "id_no": pl.String,
    "nationality": pl.String,
}
# Reviews that still stand: a pair with one of these is not proposed again.
STANDING = (MatchReviewStatus.OPEN, MatchReviewStatus.MERGE_PENDING)
_CHUNK = 5000
T = TypeVar("T")


def _chunks(ids: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def customer_ids(
    db: Session, kind: str, *, changed_since: datetime | None = None, exclude_status: str = "MERGED"
) -> list[int]:
    """Ids of the customers of one kind that are not merged away (changed since a time, when given)."""
    query = select(Customer.id).where(Customer.kind == kind, Customer.status != exclude_status)
    if changed_since is not None:
        query = query.where(or_(Customer.created_at >= changed_since, Customer.updated_at >= changed_since))
    return list(db.scalars(query.order_by(Customer.id)))


def any_candidate(db: Session, kind: str, exclude_status: str = "MERGED") -> bool:
    """Whether the CIF holds any customer of this kind that is not merged away (else nothing can match)."""
    query = select(Customer.id).where(Customer.kind == kind, Customer.status != exclude_status).limit(1)
    return db.scalar(query) is not None


@dataclass(frozen=True)
class Found:
    """Candidates by how they were found: by ID or phone (``exact``), or by pinyin or birth date only (``broad``)."""

    exact: set[int]
    broad: set[int]


def found_candidates(
    db: Session,
    kind: str,
    *,
    pinyins: set[str],
    birth_dates: set[date],
    id_indexes: set[str],
    phone_indexes: set[str],
    exclude_status: str = "MERGED",
    up_to: int | None = None,
) -> Found:
    """Customers sharing a blocking key with delivered records (same pinyin, birth date, ID or phone), told apart by
    how each was found (a broad one also found by ID or phone is exact).

    ``up_to``: every look-up only among customers with ids up to it (the newer ones — a load's own — are compared
    from its memory, ``known.Known``, the ID and mobile by its prepared columns)."""
    if up_to is not None and up_to < 1:
        return Found(set(), set())  # nothing older than the load (a first load): every query would find nothing
    found: set[int] = set()
    alive = and_(Customer.kind == kind, Customer.status != exclude_status)
    older = alive if up_to is None else and_(alive, Customer.id <= up_to)
    for values in _chunks(sorted(pinyins)):
        # through the search keys' index (every customer's full pinyin, cut at MAX_KEY, is one of its keys):
        # customer.name_pinyin has no index of its own, and a scan of the CIF per 5,000 names is a delta's cost
        keys = sorted({v[:MAX_KEY] for v in values})
        found.update(
            db.scalars(
                select(Customer.id)
                .join(CustomerSearchKey, CustomerSearchKey.customer_id == Customer.id)
                .where(older, CustomerSearchKey.key.in_(keys), Customer.name_pinyin.in_(values))
            )
        )
    exact: set[int] = set()
    for values in _chunks(sorted(id_indexes)):
        exact.update(db.scalars(select(Customer.id).where(older, Customer.id_no_index.in_(values))))
    if kind == "individual":
        for days in _chunks(sorted(birth_dates)):
            found.update(
                db.scalars(
                    select(IndividualProfile.customer_id)
                    .join(Customer, Customer.id == IndividualProfile.customer_id)
                    .where(older, IndividualProfile.birth_date.in_(days))
                )
            )
    for values in _chunks(sorted(phone_indexes)):
        exact.update(
            db.scalars(
                select(CustomerContact.customer_id)
                .join(Customer, Customer.id == CustomerContact.customer_id)
                .where(older, CustomerContact.channel == "phone", CustomerContact.value_index.in_(values))
            )
        )
    return Found(exact, found - exact)


def newest_customer_id(db: Session) -> int:
    """The largest customer id so far (0 on an empty CIF)."""
    return int(db.scalar(select(func.max(Customer.id))) or 0)


# The columns of ``light_frame``: what the broad look-up reads, nothing decrypted.
LIGHT_SCHEMA: dict[str, Any] = {
    "unique_id": pl.Int64,
    "kind": pl.String,
    "stored_pinyin": pl.String,
    "birth_date": pl.Date,
    "unchecked_id": pl.Boolean,
}
CHECKED_ID_TYPE = "RIC"  # a resident ID: its check character holds (validated), so it has no one-edit neighbours


def _unchecked(kind: str, id_type: str | None) -> bool:
    """Whether a customer's document may have typed-wrong neighbours: an individual's, unless a resident ID."""
    return kind == "individual" and id_type is not None and id_type != CHECKED_ID_TYPE


def light_frame(db: Session, *, above: int, also: Sequence[int] = (), exclude_status: str = "MERGED") -> pl.DataFrame:
    """Customers with ids above ``above`` (and those in ``also``) in the columns the broad look-up reads: stored
    name pinyin, birth date, whether the ID may have typed-wrong neighbours (any document but a resident ID)."""
    chunks = list(_chunks(sorted(set(also))))
    wanted = [Customer.id > above, *[Customer.id.in_(chunk) for chunk in chunks]]
    query = (
        select(Customer.id, Customer.kind, Customer.name_pinyin, Customer.id_type)
        .where(Customer.status != exclude_status, or_(*wanted))
        .order_by(Customer.id)
    )
    # the birth dates on their own (same ids): outer-joined, PostgreSQL hashed every profile for each chunk of a load
    born = or_(IndividualProfile.customer_id > above, *[IndividualProfile.customer_id.in_(chunk) for chunk in chunks])
    births = {
        cid: day
        for cid, day in db.execute(select(IndividualProfile.customer_id, IndividualProfile.birth_date).where(born))
    }
    rows = [
        (
            cid,
            kind,
            pinyin,
            births.get(cid),
            _unchecked(kind, id_type),
        )
        for cid, kind, pinyin, id_type in db.execute(query)
    ]
    return pl.DataFrame(rows, schema=LIGHT_SCHEMA, orient="row")


def customer_frame(
    db: Session, cipher: FieldCipher, ids: Sequence[int], *, clear_only: bool = False, above: int | None = None
) -> pl.DataFrame:
    """The customers ``ids`` in the feed columns the scorer reads, ID numbers and mobiles decrypted.

    A corporate's USCC stands in the ``id_no`` column and its office address in ``address``. ``clear_only``: nothing
    decrypted (``id_no`` and ``mobile`` left blank) and an ``unchecked_id`` column as ``light_frame``'s — what
    telling whether a candidate shares a blocking rule with a record needs (``known.share_a_rule``). ``above``: also
    every customer with a larger id, read as a range (a load's own new customers: ids lists of 5,000 a query cost
    PostgreSQL most of reading them back); the frame is then in id order, else in the order of ``ids``.
    """
    rows: dict[int, dict[str, Any]] = {}
    unchecked: dict[int, bool] = {}
    parts: list[Owned] = [partial(_in_list, list(chunk)) for chunk in _chunks(list(ids))]
    if above is not None:
        parts.append(partial(_above, above))
    for owned in parts:
        _read(db, cipher, owned, rows, unchecked, clear_only)
    order = sorted(rows) if above is not None else [i for i in ids if i in rows]
    found = [rows[i] for i in order]
    # built column by column: a frame from a list of dicts cost a tenth of a feed chunk's matching
    frame = pl.DataFrame({c: [r[c] for r in found] for c in FRAME_SCHEMA}, schema=FRAME_SCHEMA)
    if clear_only:
        frame = frame.with_columns(pl.Series("unchecked_id", [unchecked[r["unique_id"]] for r in found], pl.Boolean))
    return frame


Owned = Callable[[Any], ColumnElement[bool]]  # which customers' rows, given the column holding the customer id


def _in_list(ids: list[int], column: Any) -> ColumnElement[bool]:
    return column.in_(ids)  # type: ignore[no-any-return]


def _above(above: int, column: Any) -> ColumnElement[bool]:
    return column > above  # type: ignore[no-any-return]


def _read(
    db: Session,
    cipher: FieldCipher,
    owned: Owned,
    rows: dict[int, dict[str, Any]],
    unchecked: dict[int, bool],
    clear_only: bool,
) -> None:
    """Fill ``rows`` (and ``unchecked``) with the customers ``owned`` selects, as ``customer_frame`` shows them."""
    # each table read on its own: joined in one query, PostgreSQL hashed the whole profile tables for every 5,000
    # ids (a seq scan of 800,000 profiles each: a third of a 1M delta's time)
    query = select(
        Customer.id,
        Customer.kind,
        Customer.name,
        Customer.id_no_enc,
        Customer.id_country,
        Customer.uscc,
        Customer.id_type,
    ).where(owned(Customer.id))
    kinds: set[str] = set()
    for cid, kind, name, id_enc, country, uscc, id_type in db.execute(query):
        if clear_only:
            id_no = None
            unchecked[cid] = _unchecked(kind, id_type)
        else:
            id_no = cipher.decrypt(id_enc, aad_for("customer", "id_no", cid)) if id_enc else uscc
            id_no = documents.scored_number(country, id_no) if id_enc else id_no
        kinds.add(kind)
        rows[cid] = {
            "unique_id": cid,
            "kind": kind,
            "name": name,
            "birth_date": None,
            "gender": None,
            "mobile": None,
            "address": None,
            "employer": None,
            "id_no": id_no,
            "nationality": None,
        }
    if "individual" in kinds:
        profiles = db.execute(
            select(
                IndividualProfile.customer_id,
                IndividualProfile.birth_date,
                IndividualProfile.gender,
                IndividualProfile.employer,
                IndividualProfile.nationality,
            ).where(owned(IndividualProfile.customer_id))
        )
        for cid, birth, gender, employer, nationality in profiles:
            if cid in rows:
                rows[cid].update(birth_date=birth, gender=gender, employer=employer, nationality=nationality)
    if kinds - {"individual"}:
        offices = db.execute(
            select(CorporateProfile.customer_id, CorporateProfile.registered_address).where(
                owned(CorporateProfile.customer_id)
            )
        )
        for cid, registered in offices:
            if cid in rows:
                rows[cid]["address"] = registered
    contacts = db.execute(
        select(
            CustomerContact.id,
            CustomerContact.customer_id,
            CustomerContact.channel,
            CustomerContact.purpose,
            CustomerContact.value,
            CustomerContact.value_enc,
        )
        .where(
            owned(CustomerContact.customer_id),
            CustomerContact.channel.in_(("address",) if clear_only else ("phone", "address")),
        )
        .order_by(CustomerContact.customer_id, CustomerContact.preferred.desc(), CustomerContact.id)
    )
    for contact_id, cid, channel, purpose, value, value_enc in contacts:
        row = rows.get(cid)
        if row is None:
            continue
        if channel == "phone" and purpose == "mobile" and row["mobile"] is None and value_enc:
            row["mobile"] = cipher.decrypt(value_enc, aad_for("customer_contact", "value", contact_id))
        elif channel == "address" and value and purpose in ("HOME", "OFFICE") and row["address"] is None:
            row["address"] = value


def distinct_pairs(db: Session) -> set[tuple[int, int]]:
    """Pairs a reviewer decided are different customers (smaller id first)."""
    return {(a, b) for a, b in db.execute(select(MatchDistinct.customer_id, MatchDistinct.other_customer_id))}


def standing_duplicate_pairs(db: Session) -> set[tuple[int, int]]:
    """Pairs of customers with an open or merge-pending duplicate review (smaller id first)."""
    rows = db.execute(
        select(MatchReview.customer_id, MatchReview.other_customer_id).where(
            MatchReview.kind == MatchReviewKind.DUPLICATE,
            MatchReview.status.in_([s.value for s in STANDING]),
            MatchReview.other_customer_id.is_not(None),
        )
    )
    return {(min(a, b), max(a, b)) for a, b in rows if b is not None}


def add_duplicate_reviews(db: Session, reviews: Sequence[tuple[int, int, float, str]]) -> None:
    """Open duplicate reviews (customer, other customer, probability, comparisons JSON)."""
    db.add_all(
        MatchReview(
            kind=MatchReviewKind.DUPLICATE.value,
            status=MatchReviewStatus.OPEN.value,
            customer_id=a,
            other_customer_id=b,
            probability=probability,
            comparisons=comparisons,
        )
        for a, b, probability, comparisons in reviews
    )
    db.flush()


def open_review_count(db: Session) -> int:
    """How many reviews are open."""
    return int(db.scalar(select(func.count(MatchReview.id)).where(MatchReview.status == MatchReviewStatus.OPEN)) or 0)
