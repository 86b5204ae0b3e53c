"""HTML pages: sign-in and out, language switch, and administration of units, users and roles."""

from __future__ import annotations

from fastapi import APIRouter

from bankcrm.access.views import roles, signin, units, users
from bankcrm.access.views.signin import PRELOGIN_COOKIE

__all__ = ["PRELOGIN_COOKIE", "public_router", "router"]

# Each part's router carries the CSRF check on its own routes; they are included in the order the
# routes were declared before the split, since the first matching path wins.
public_router = APIRouter(include_in_schema=False)
public_router.include_router(signin.public_router)
router = APIRouter(include_in_schema=False)
for part in (signin, units, users, roles):
    router.include_router(part.router)
