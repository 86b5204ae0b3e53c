"""JSON API: churn model cards, one model's card, a customer's churn scores with reasons."""

from __future__ import annotations

from fastapi import APIRouter, Request

from bankcrm.access.deps import CifNo, Db, EntityId
from bankcrm.churn import schemas
from bankcrm.churn.deps import ApiModelsReader
from bankcrm.churn.service import reads
from bankcrm.web.templating import locale_of

router = APIRouter(tags=["models"])


@router.get("/models", response_model=list[schemas.ModelSummary])
def list_models(request: Request, db: Db, caller: ApiModelsReader) -> list[schemas.ModelSummary]:
    """Every churn model, newest first: status, validation month, AUC beside the recency rule, why (not) promoted."""
    return reads.models(db, caller, locale_of(request))


@router.get("/models/{model_id}", response_model=schemas.ModelRead)
def get_model(request: Request, db: Db, caller: ApiModelsReader, model_id: EntityId) -> schemas.ModelRead:
    """One model with its card: data window, rows, AUC, PR-AUC, lift in the top decile, calibration, top
    features, the recency rule beside it. 404 when there is none."""
    return reads.model(db, caller, model_id, locale_of(request))


@router.get("/customers/{cif_no}/churn", response_model=schemas.CustomerChurnRead)
def customer_churn(request: Request, db: Db, caller: ApiModelsReader, cif_no: CifNo) -> schemas.CustomerChurnRead:
    """A customer in scope (404 otherwise, audited): churn probability by month, newest first, reasons in words."""
    return reads.customer(db, caller, cif_no, locale_of(request))
