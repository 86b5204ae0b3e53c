"""What the relationship pages share: the saved flag, the graph block."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from bankcrm.relationships import schemas

Flag = Annotated[str | None, Query(max_length=10)]


def _graph_json(graph: schemas.Graph) -> dict[str, Any]:
    """The graph block the page's script draws (the same shape as the API's)."""
    return graph.model_dump(mode="json")
