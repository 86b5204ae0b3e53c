"""Row ids as the API accepts them: within a 32-bit integer column's range on both databases."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2_147_483_647  # PostgreSQL INTEGER; larger values would overflow the column, not just miss a row
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
