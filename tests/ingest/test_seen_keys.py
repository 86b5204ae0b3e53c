"""The duplicate-key memory across chunks: first lines found exactly, hash collisions never match."""

from __future__ import annotations

import numpy as np
import polars as pl

from bankcrm.ingest.seen import SeenKeys


def test_first_lines_of_keys_from_earlier_chunks_and_null_for_new_ones():
    # given keys from three earlier chunks (runs get merged as they are added)
    seen = SeenKeys()
    seen.add(pl.Series(["V1", "V2"]), pl.Series([2, 3]))
    seen.add(pl.Series(["V3"]), pl.Series([9]))
    seen.add(pl.Series(["V4", "V5", "V6"]), pl.Series([10, 11, 12]))
    # when a later chunk is looked up
    found = seen.first_lines(pl.Series(["V6", "X", "V1", None, "V3", "V2"]))
    # then each known key gives its first line, unknown and null keys give null
    assert found.to_list() == [12, None, 2, None, 9, 3]
    assert len(seen) == 6


def test_an_equal_hash_with_another_key_is_not_a_duplicate(monkeypatch):
    # given every key hashing to the same value (a forced collision)
    monkeypatch.setattr(pl.Series, "hash", lambda self, *a, **k: pl.Series(np.zeros(len(self), dtype=np.uint64)))
    seen = SeenKeys()
    seen.add(pl.Series(["A", "B", "C"]), pl.Series([2, 3, 4]))
    # when keys with that hash are looked up
    found = seen.first_lines(pl.Series(["C", "D", "A"]))
    # then only the same keys match, wherever they sit among the equal hashes
    assert found.to_list() == [4, None, 2]
