"""What the relationship pages share: the posted form, the saved flag, the graph block."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query

from bankcrm.customers import forms
from bankcrm.relationships import schemas

Form = Annotated[dict[str, str], Depends(forms.form_values)]
Flag = Annotated[str | None, Query(max_length=10)]


def _graph_json(graph: schemas.Graph) -> dict[str, Any]:
    """The graph block the page's script draws (the same shape as the API's)."""
    return graph.model_dump(mode="json")
