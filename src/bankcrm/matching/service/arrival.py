"""Where a delivered record without an identity match goes: the probabilistic half of matching on arrival.

``place`` fetches the candidate customers that share a blocking key with the records (same name in
pinyin, birth date, ID or mobile: an indexed look-up, never the whole CIF), scores each record
against them and answers, per record, its best candidate and the outcome the thresholds give:
link at or above ``match_upper``, review between the two, new below ``match_lower`` or without any
candidate (docs/matching.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.config import get_settings
from bankcrm.customers.service.records import ID_PURPOSE, PHONE_PURPOSE
from bankcrm.kit import documents
from bankcrm.kit.crypto import FieldCipher
from bankcrm.kit.pinyin import pinyin_full
from bankcrm.matching import repository
from bankcrm.matching.schemas import Outcome, Placement
from bankcrm.matching.service import scoring
from bankcrm.matching.service.known import Known, share_a_rule

ROW = "_row"  # the line number of each record in its file: the key of the answer


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    text = _text(value)
    if text is None:
        return None
    digits = "".join(ch for ch in text if ch.isdigit())
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])) if len(digits) == 8 else None
    except ValueError:
        return None


def _as_scored(records: pl.DataFrame, kind: str) -> pl.DataFrame:
    """The delivered records of one kind as the scorer reads them (a corporate's USCC stands as its ID)."""

    def column(name: str) -> list[Any]:
        return [_text(v) for v in records[name].to_list()] if name in records.columns else [None] * records.height

    schema = {k: v for k, v in repository.FRAME_SCHEMA.items() if k != "kind"}
    return pl.DataFrame(
        {
            "unique_id": records[ROW].cast(pl.Int64),
            "name": column("name"),
            "birth_date": [_day(v) for v in column("birth_date")],
            "gender": column("gender"),
            "mobile": column("mobile"),
            "address": column("address"),
            "employer": column("employer"),
            "id_no": column("uscc" if kind == "corporate" else "id_no"),
            "nationality": column("nationality") if kind == "individual" else [None] * records.height,
        },
        schema=schema,
    )


Broad = tuple[set[str], set[date]]  # the broad look-up's keys: names in pinyin, birth dates


def _broad_keys(records: pl.DataFrame) -> Broad:
    """The records' names in pinyin and birth dates: the broad look-up's keys."""
    pinyins = {pinyin_full(n) for n in records["name"].to_list() if n}
    return {p for p in pinyins if p}, {d for d in records["birth_date"].to_list() if d is not None}


def _candidates(
    db: Session,
    cipher: FieldCipher,
    records: pl.DataFrame,
    kind: str,
    up_to: int | None,
    broad: Broad,
) -> repository.Found:
    pinyins, births = broad
    ids: set[str] = set()
    for number in records["id_no"].to_list() if kind == "individual" else []:
        if number:
            ids.update(cipher.blind_index(v, ID_PURPOSE) for v in {number, number.strip().upper()})
    phones: set[str] = set()
    for number in records["mobile"].to_list():
        if number:
            phones.add(cipher.blind_index(number, PHONE_PURPOSE))
            digits = "".join(ch for ch in number if ch.isdigit())
            phones.add(cipher.blind_index(digits, PHONE_PURPOSE))
            if len(digits) == 13 and digits.startswith("86"):  # +86: the scorer compares the number without it
                phones.add(cipher.blind_index(digits[2:], PHONE_PURPOSE))
    return repository.found_candidates(
        db, kind, pinyins=pinyins, birth_dates=births, id_indexes=ids, phone_indexes=phones, up_to=up_to
    )


def _sharing(db: Session, cipher: FieldCipher, found: repository.Found, records: pl.DataFrame) -> list[int]:
    """The candidates to score: every one found by ID or phone, and of those found by pinyin or birth date only
    the ones a blocking rule pairs with a record (``records``: prepared). Read without decrypting first: a delta's
    4,000 new people found 300,000 customers by birth date, nearly all paired with none; decrypting and scoring
    them all was a third of the 1M delta."""
    kept = set(found.exact)
    if found.broad:
        light = repository.customer_frame(db, cipher, sorted(found.broad), clear_only=True)
        shaped = scoring.prepare(light.drop("kind", "unchecked_id")).join(
            light.select("unique_id", "unchecked_id"), on="unique_id", how="inner", maintain_order="left"
        )
        kept |= share_a_rule(shaped, records)
    return sorted(kept)


def place(db: Session, cipher: FieldCipher, records: pl.DataFrame, known: Known | None = None) -> dict[int, Placement]:
    """Per ``_row`` of the delivered ``records`` (feed columns), its best candidate customer and outcome.

    ``known``: the load's own customers so far (a load of several chunks): compared from memory, not read again."""
    settings = get_settings()
    upper, lower = settings.match_upper, settings.match_lower
    match_settings = scoring.load_settings()
    placements: dict[int, Placement] = {int(r): Placement(Outcome.NEW) for r in records[ROW].to_list()}
    kinds = records["kind"] if "kind" in records.columns else pl.Series(["individual"] * records.height)
    if known is not None:
        known.refresh(db, cipher)
    for kind in ("individual", "corporate"):
        delivered = records.filter(kinds == kind)
        if delivered.height == 0 or not repository.any_candidate(db, kind):
            continue  # nothing to compare with (an empty CIF: a first load): every record is new
        frame = _as_scored(delivered, kind)
        broad = _broad_keys(frame)  # the ID adjustment below leaves names and birth dates as they are
        found = _candidates(db, cipher, frame, kind, known.before if known is not None else None, broad)
        if not (found.exact or found.broad) and known is None:
            continue
        if kind == "individual" and "id_country" in delivered.columns:
            # compared as (issuing country, number): the blind-index look-up above used the bare number
            numbers = zip(delivered["id_country"].to_list(), frame["id_no"].to_list(), strict=True)
            frame = frame.with_columns(
                pl.Series("id_no", [documents.scored_number(_text(c), n) for c, n in numbers], dtype=pl.String)
            )
        prepared = scoring.prepare(frame)
        candidate_ids = _sharing(db, cipher, found, prepared)
        parts = [scoring.prepare(repository.customer_frame(db, cipher, candidate_ids).drop("kind"))]
        if known is not None:
            looked_up = set(candidate_ids)
            mine = [i for i in known.sharing(kind, prepared, *broad) if i not in looked_up]
            parts.append(known.rows(kind, mine) if mine else parts[0].clear())
        candidates = pl.concat(parts, how="vertical_relaxed").sort("unique_id")
        if candidates.height == 0:
            continue
        scored = scoring.score(prepared, candidates, settings=match_settings)
        best = scored.sort(["probability", "id_r"], descending=[True, False]).unique(
            subset=["id_l"], keep="first", maintain_order=True
        )
        for row in best.iter_rows(named=True):
            probability = round(float(row["probability"]), 6)
            if probability < lower:
                placements[int(row["id_l"])] = Placement(Outcome.NEW, None, probability)
                continue
            outcome = Outcome.LINK if probability >= upper else Outcome.REVIEW
            placements[int(row["id_l"])] = Placement(
                outcome, int(row["id_r"]), probability, scoring.comparisons_json(row, match_settings)
            )
    return placements
