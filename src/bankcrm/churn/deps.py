"""Who may read churn models and scores: holders of models.read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bankcrm.access.deps import require_api, require_web
from bankcrm.access.principal import Principal
from bankcrm.churn.schemas import READ

ModelsReader = Annotated[Principal, Depends(require_web(READ))]
ApiModelsReader = Annotated[Principal, Depends(require_api(READ))]
