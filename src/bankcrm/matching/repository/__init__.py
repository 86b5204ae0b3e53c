"""Matching queries: sources and rules, customers as the matcher reads them, reviews and merges (rows moved)."""

from bankcrm.matching.repository.candidates import (
    FRAME_SCHEMA,
    STANDING,
    add_duplicate_reviews,
    any_candidate,
    candidate_ids,
    customer_frame,
    customer_ids,
    distinct_pairs,
    open_review_count,
    standing_duplicate_pairs,
)
from bankcrm.matching.repository.sources import (
    add,
    link_approved,
    open_review_of,
    rules,
    source_by_key,
    source_system,
    source_systems,
    sources_by_key,
    sources_of,
)

__all__ = [
    "FRAME_SCHEMA",
    "STANDING",
    "add",
    "add_duplicate_reviews",
    "any_candidate",
    "candidate_ids",
    "customer_frame",
    "customer_ids",
    "distinct_pairs",
    "link_approved",
    "open_review_count",
    "open_review_of",
    "rules",
    "source_by_key",
    "source_system",
    "source_systems",
    "sources_by_key",
    "sources_of",
    "standing_duplicate_pairs",
]
