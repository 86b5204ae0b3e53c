"""HTML pages: a customer's links and relationship graph, corporate groups and their review, guarantee circles."""

from __future__ import annotations

from fastapi import APIRouter

from bankcrm.relationships.views import groups, links

__all__ = ["router"]

# Each part's router carries the CSRF check on its own routes; included in the order the routes were
# declared before the split, since the first matching path wins.
router = APIRouter(include_in_schema=False)
router.include_router(links.router)
router.include_router(groups.router)
