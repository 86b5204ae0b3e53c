"""Code-table fields as schema types: fixed tables as enums of the shipped codes, extensible ones as a pattern.

A table is *fixed* when a national standard or the application's own rules define its codes (ethnicity,
industry, customer status, link types, ...): the API publishes them as an `enum`, read from the CSV that
`db upgrade` loads. A table a bank may extend with its own codes (occupations, source channels, ...) stays
a string with a documented pattern, so a new code needs no new API version; the service checks it exists.
Use as ``Annotated[str, FixedCode("ethnicity")]`` or ``Annotated[str, OpenCode("occupation")]``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference_data"
CODE_PATTERN = r"^[A-Z0-9_]{1,40}$"


@lru_cache(maxsize=64)
def shipped_codes(category: str) -> tuple[str, ...]:
    """The codes of one shipped code table, in file order."""
    with (REFERENCE_DIR / f"{category}.csv").open(encoding="utf-8", newline="") as fh:
        return tuple(row["code"] for row in csv.DictReader(fh))


@dataclass(frozen=True)
class FixedCode:
    """A string that must be one of the table's shipped codes, published as an enum."""

    category: str
    exclude: tuple[str, ...] = ()  # shipped codes only the application sets, never a caller (MERGED)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """The string schema, then a check against the shipped codes."""
        allowed = frozenset(shipped_codes(self.category)) - set(self.exclude)

        def one_of(value: str) -> str:
            if value not in allowed:
                # "enum" is pydantic's own type for this mistake, so the API words it like any other choice.
                raise PydanticCustomError("enum", "Input should be a code of {category}", {"category": self.category})
            return value

        return core_schema.no_info_after_validator_function(one_of, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """An enum of the shipped codes, naming the table."""
        codes = [c for c in shipped_codes(self.category) if c not in self.exclude]
        return {"type": "string", "enum": codes, "description": f"A code of the `{self.category}` code table"}


@dataclass(frozen=True)
class OpenCode:
    """A string shaped like a code; which codes exist is data, checked by the service."""

    category: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """A trimmed string matching the code pattern."""
        return core_schema.str_schema(strip_whitespace=True, pattern=CODE_PATTERN)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The pattern, and the table the code must come from."""
        description = f"A code of the `{self.category}` code table (a bank may add its own codes)"
        return {"type": "string", "pattern": CODE_PATTERN, "description": description}
