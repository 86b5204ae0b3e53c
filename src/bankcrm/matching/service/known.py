"""The customers a load created so far, kept in memory as the blocking rules read them.

Why: each chunk of a load places its records against the CIF, and a record's broad look-up (same pinyin or
birth date) finds nearly every customer once a chunk holds 100,000 records — so each chunk read, decrypted
and scored the whole CIF the load had grown so far (quadratic: 0.26 ms a customer at 100k, 0.65 at 1M).
Now customers older than the load are looked up in the database as before, and the load's own are read once
(decrypted and prepared for the scorer once) into this frame; a chunk keeps of them only those that share a
blocking rule with one of its records (and that the broad look-up would have found) and scores them from
memory — the same pairs as before. A customer whose fields a later record changed is read again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from sqlalchemy.orm import Session

from bankcrm.kit.crypto import FieldCipher
from bankcrm.matching import repository
from bankcrm.matching.service import scoring

# Blocking on these needs decrypted values: the ID and phone look-ups in the database cover them.
DECRYPTED = frozenset({"id_no", "mobile", "id_variants"})
# Of those, the ones a load's own customers are paired by in memory instead (the database's look-ups cover only the
# customers older than the load); ``id_variants`` is the broad look-up's, as for older customers.
LOOKED_UP = frozenset({"id_no", "mobile"})


@dataclass
class Known:
    """A load's own customers (ids above ``before``), by kind, in blocking columns; ``changed``: to read again."""

    before: int
    upto: int = 0
    changed: set[int] = field(default_factory=set)
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.upto = max(self.upto, self.before)

    def refresh(self, db: Session, cipher: FieldCipher) -> None:
        """Read the customers created since the last chunk and those changed since (their old rows dropped)."""
        again = sorted(i for i in self.changed if self.before < i <= self.upto)
        self.changed.clear()
        above = self.upto
        light = repository.light_frame(db, above=above, also=again)
        if light.height == 0 and not again:
            return
        if light.height:
            self.upto = max(self.upto, max(light["unique_id"].to_list()))
        prepared = _prepared(db, cipher, light, above, again)
        for kind in ("individual", "corporate"):
            old = self.frames.get(kind)
            if old is not None and again:
                old = old.filter(~pl.col("unique_id").is_in(again))
            new = prepared.filter(pl.col("kind") == kind).drop("kind")
            self.frames[kind] = new if old is None else pl.concat([old, new], how="vertical")

    def sharing(self, kind: str, records: pl.DataFrame, pinyins: set[str], births: set[date]) -> list[int]:
        """The load's customers of ``kind`` the broad look-up finds (same stored pinyin or birth date as a record)
        that share a blocking rule with one of the ``records`` (``scoring.prepare``d); every one whose document
        may have typed-wrong neighbours when a record's does; and any that shares its ID or mobile with a record
        (the database's ID and phone look-ups cover only customers older than the load)."""
        frame = self.frames.get(kind)
        if frame is None or frame.height == 0 or records.height == 0:
            return []
        broad = frame.filter(pl.col("stored_pinyin").is_in(list(pinyins)) | pl.col("birth_day").is_in(list(births)))
        return sorted(share_a_rule(broad, records) | share_a_looked_up_rule(frame, records))

    def rows(self, kind: str, ids: list[int]) -> pl.DataFrame:
        """The load's customers ``ids`` of ``kind`` as ``scoring.prepare`` makes them (by id)."""
        frame = self.frames[kind].filter(pl.col("unique_id").is_in(ids)).sort("unique_id")
        return frame.select("unique_id", *scoring.PREPARED_COLUMNS)


def share_a_rule(candidates: pl.DataFrame, records: pl.DataFrame) -> set[int]:
    """The ``candidates`` (prepared, with ``unchecked_id``) that a blocking rule without decrypted columns pairs with
    one of the ``records`` (prepared); every one whose document may have typed-wrong neighbours when a record's does.
    The rules on decrypted columns are the ID and phone look-ups' (``repository.found_candidates``)."""
    found = _paired(candidates, records, lambda rule: not DECRYPTED & set(rule))
    if records["id_variants"].is_not_null().any():
        found.update(candidates.filter(pl.col("unchecked_id"))["unique_id"].to_list())
    return found


def share_a_looked_up_rule(candidates: pl.DataFrame, records: pl.DataFrame) -> set[int]:
    """The ``candidates`` (prepared, decrypted) that a blocking rule on the ID or mobile (``LOOKED_UP``) pairs with one
    of the ``records`` (prepared): among a load's own customers, what the database's ID and phone look-ups find among
    the older ones (``repository.found_candidates``)."""
    return _paired(candidates, records, lambda rule: bool(LOOKED_UP & set(rule)) and "id_variants" not in rule)


def _paired(candidates: pl.DataFrame, records: pl.DataFrame, wanted: Callable[[list[str]], bool]) -> set[int]:
    """The ``candidates`` that one of the ``wanted`` blocking rules pairs with one of the ``records``."""
    found: set[int] = set()
    for rule in scoring.load_settings().blocking_rules:
        if wanted(rule):
            keys = records.select(rule).drop_nulls().unique()
            found.update(candidates.join(keys, on=rule, how="semi")["unique_id"].to_list())
    return found


def _prepared(db: Session, cipher: FieldCipher, light: pl.DataFrame, above: int, again: list[int]) -> pl.DataFrame:
    """The light rows (customers above ``above`` and ``again``) with every prepared column the scorer reads, ID
    numbers and mobiles decrypted once here."""
    full = repository.customer_frame(db, cipher, again, above=above).drop("kind")
    return light.select(
        "unique_id", "kind", "stored_pinyin", pl.col("birth_date").alias("birth_day"), "unchecked_id"
    ).join(scoring.prepare(full), on="unique_id", how="inner", maintain_order="left")
