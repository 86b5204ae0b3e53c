"""Who may use the lifecycle pages: holders of lifecycle.read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bankcrm.access.deps import require_api, require_web
from bankcrm.access.principal import Principal
from bankcrm.lifecycle.schemas import READ

LifecycleReader = Annotated[Principal, Depends(require_web(READ))]
ApiLifecycleReader = Annotated[Principal, Depends(require_api(READ))]
