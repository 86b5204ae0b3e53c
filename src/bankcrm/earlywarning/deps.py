"""Who may use the warning pages: holders of warnings.read (acting and analysing are checked in the services)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bankcrm.access.deps import require_api, require_web
from bankcrm.access.principal import Principal
from bankcrm.earlywarning.schemas import ANALYSE, READ

WarningReader = Annotated[Principal, Depends(require_web(READ))]
WarningAnalyst = Annotated[Principal, Depends(require_web(ANALYSE))]
ApiWarningReader = Annotated[Principal, Depends(require_api(READ))]
