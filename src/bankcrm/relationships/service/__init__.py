"""Relationships' business rules, by use case: links, derivation, groups, circles and graphs.

The link functions are re-exported here so ``from bankcrm.relationships import service`` keeps working.
"""

from bankcrm.relationships.service.links import (
    GUARANTOR,
    HIDDEN_NAME,
    SHAREHOLDER,
    LinksPage,
    create_link,
    end_link,
    link_types,
    links_of,
    links_page,
    reads,
)

__all__ = [
    "GUARANTOR",
    "HIDDEN_NAME",
    "SHAREHOLDER",
    "LinksPage",
    "create_link",
    "end_link",
    "link_types",
    "links_of",
    "links_page",
    "reads",
]
