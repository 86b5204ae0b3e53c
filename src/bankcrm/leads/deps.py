"""Who may use the lead pages and API: one alias per permission."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bankcrm.access.deps import require_api, require_web
from bankcrm.access.principal import Principal
from bankcrm.leads.schemas import ASSIGN, CREATE, READ, REFER, WORK

LeadReader = Annotated[Principal, Depends(require_web(READ))]
LeadCreator = Annotated[Principal, Depends(require_web(CREATE))]
LeadReferrer = Annotated[Principal, Depends(require_web(REFER))]
LeadWorker = Annotated[Principal, Depends(require_web(WORK))]
LeadAssigner = Annotated[Principal, Depends(require_web(ASSIGN))]
ApiLeadReader = Annotated[Principal, Depends(require_api(READ))]
ApiLeadCreator = Annotated[Principal, Depends(require_api(CREATE))]
ApiLeadReferrer = Annotated[Principal, Depends(require_api(REFER))]
ApiLeadWorker = Annotated[Principal, Depends(require_api(WORK))]
ApiLeadAssigner = Annotated[Principal, Depends(require_api(ASSIGN))]
