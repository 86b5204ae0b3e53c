"""Who may open the value dashboard: holders of insight.dashboard (management, the head office's analysts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bankcrm.access.deps import require_api, require_web
from bankcrm.access.principal import Principal

DASHBOARD = "insight.dashboard"
DashboardReader = Annotated[Principal, Depends(require_web(DASHBOARD))]
ApiDashboardReader = Annotated[Principal, Depends(require_api(DASHBOARD))]
