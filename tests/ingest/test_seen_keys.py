"""The duplicate-key memory across chunks: first lines found exactly, hash collisions never match."""

from __future__ import annotations

import numpy as np
import polars as pl

from bankcrm.ingest.seen import SeenKeys


def remember(seen: SeenKeys, keys: list[str], lines: list[int], new: list[bool] | None = None) -> None:
    """Probe a chunk's keys, then add those marked new (all by default), as ingest does."""
    probe = seen.probe(pl.Series(keys, dtype=pl.String))
    mask = np.array(new if new is not None else [True] * len(keys))
    seen.add(probe, mask, np.array(lines))


def test_first_lines_of_keys_from_earlier_chunks_and_null_for_new_ones():
    # given keys from three earlier chunks (runs get merged as they are added)
    seen = SeenKeys()
    remember(seen, ["V1", "V2"], [2, 3])
    remember(seen, ["V3"], [9])
    remember(seen, ["V4", "V5", "V6"], [10, 11, 12])
    # when a later chunk is looked up
    found = seen.first_lines(pl.Series(["V6", "X", "V1", None, "V3", "V2"]))
    # then each known key gives its first line, unknown and null keys give null
    assert found.to_list() == [12, None, 2, None, 9, 3]
    assert len(seen) == 6


def test_only_keys_marked_new_are_remembered_with_their_own_lines():
    # given a chunk whose second row is not new (say, a repeat within the chunk), then a smaller chunk
    seen = SeenKeys()
    remember(seen, ["b", "a", "c", "d", "a"], [5, 6, 7, 8, 9], new=[True, True, True, True, False])
    remember(seen, ["z", "y"], [10, 11], new=[False, True])
    # when every key is looked up
    found = seen.first_lines(pl.Series(["a", "b", "c", "d", "y", "z"]))
    # then each kept key gives the line it was added with; the unmarked one is unknown
    assert found.to_list() == [6, 5, 7, 8, 11, None]
    assert len(seen) == 5


def test_an_equal_hash_with_another_key_is_not_a_duplicate(monkeypatch):
    # given every key hashing to the same value (a forced collision)
    monkeypatch.setattr(pl.Series, "hash", lambda self, *a, **k: pl.Series(np.zeros(len(self), dtype=np.uint64)))
    seen = SeenKeys()
    remember(seen, ["A", "B", "C"], [2, 3, 4])
    # when keys with that hash are looked up
    found = seen.first_lines(pl.Series(["C", "D", "A"]))
    # then only the same keys match, wherever they sit among the equal hashes
    assert found.to_list() == [4, None, 2]


def test_rising_keys_are_kept_without_hashing_until_a_chunk_breaks_the_order():
    # given two chunks of strictly rising keys (the usual core-banking file)
    seen = SeenKeys()
    remember(seen, ["A1", "A2", "A3"], [2, 3, 4])
    first = seen.probe(pl.Series(["A4", "A5"]))
    assert first.order is None and first.first_lines.to_list() == [None, None]
    seen.add(first, np.array([True, True]), np.array([5, 6]))
    # when a chunk repeats earlier keys out of order
    found = seen.first_lines(pl.Series(["A2", "B1", None, "A5"]))
    # then the repeats are found on their first lines all the same
    assert found.to_list() == [3, None, None, 6]


def test_a_rising_chunk_starting_at_the_last_key_so_far_is_searched():
    # given a chunk ending in K2
    seen = SeenKeys()
    remember(seen, ["K1", "K2"], [2, 3])
    # when the next chunk rises but starts at K2 again
    found = seen.first_lines(pl.Series(["K2", "K3"]))
    # then K2 is a repeat of line 3
    assert found.to_list() == [3, None]
