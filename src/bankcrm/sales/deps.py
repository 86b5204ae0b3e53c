"""Who may use the sales pages and API: the sales permissions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bankcrm.access.deps import require_api, require_web
from bankcrm.access.principal import Principal
from bankcrm.sales.schemas import ACTIVITY, READ, TARGETS_READ, TARGETS_SET, WRITE

Reader = Annotated[Principal, Depends(require_web(READ))]
Writer = Annotated[Principal, Depends(require_web(WRITE))]
ActivityWriter = Annotated[Principal, Depends(require_web(ACTIVITY))]
TargetReader = Annotated[Principal, Depends(require_web(TARGETS_READ))]
TargetSetter = Annotated[Principal, Depends(require_web(TARGETS_SET))]
ApiReader = Annotated[Principal, Depends(require_api(READ))]
ApiWriter = Annotated[Principal, Depends(require_api(WRITE))]
ApiActivity = Annotated[Principal, Depends(require_api(ACTIVITY))]
ApiTargetReader = Annotated[Principal, Depends(require_api(TARGETS_READ))]
