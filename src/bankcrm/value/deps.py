"""Who may use the value pages: readers of contribution, and the head office's pricing makers and checkers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bankcrm.access.deps import require_api, require_web
from bankcrm.access.principal import Principal
from bankcrm.value.schemas import APPROVE, PROPOSE, READ

ValueReader = Annotated[Principal, Depends(require_web(READ))]
ApiValueReader = Annotated[Principal, Depends(require_api(READ))]
PricingMaker = Annotated[Principal, Depends(require_web(PROPOSE))]
ApiPricingMaker = Annotated[Principal, Depends(require_api(PROPOSE))]
PricingChecker = Annotated[Principal, Depends(require_web(APPROVE))]
ApiPricingChecker = Annotated[Principal, Depends(require_api(APPROVE))]
