"""Who may reach the matching routes: readers of the review queue and approvers of merges."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bankcrm.access.deps import require_api, require_web
from bankcrm.access.principal import Principal

MatchReader = Annotated[Principal, Depends(require_web("match.read"))]
MatchApprover = Annotated[Principal, Depends(require_web("match.approve"))]
ApiMatchReader = Annotated[Principal, Depends(require_api("match.read"))]
ApiMatchApprover = Annotated[Principal, Depends(require_api("match.approve"))]
