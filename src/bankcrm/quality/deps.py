"""Who may open the gaps list: a reader of the quality page, or an account manager for their own customers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bankcrm.access.deps import api_principal, require_api, require_web, web_principal
from bankcrm.access.principal import Actor, Principal
from bankcrm.errors import Forbidden
from bankcrm.quality.schemas import GAPS_OWN, READ


def _gap_reader(request: Request, principal: Principal) -> Principal:
    if principal.can(READ) or principal.can(GAPS_OWN):
        return principal
    raise Forbidden(
        audit={
            "actor": Actor.of(principal),
            "action": "authz.denied",
            "outcome": "denied",
            "detail": f"{request.method} {request.url.path} needs {READ} or {GAPS_OWN}",
        }
    )


def web_gap_reader(request: Request, principal: Annotated[Principal, Depends(web_principal)]) -> Principal:
    """A signed-in browser user who may see gaps (403 and audited otherwise)."""
    return _gap_reader(request, principal)


def api_gap_reader(request: Request, principal: Annotated[Principal, Depends(api_principal)]) -> Principal:
    """A bearer-token caller who may see gaps (403 and audited otherwise)."""
    return _gap_reader(request, principal)


GapReader = Annotated[Principal, Depends(web_gap_reader)]
ApiGapReader = Annotated[Principal, Depends(api_gap_reader)]
QualityReader = Annotated[Principal, Depends(require_web(READ))]
ApiQualityReader = Annotated[Principal, Depends(require_api(READ))]
