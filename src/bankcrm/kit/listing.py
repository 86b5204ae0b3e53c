"""One list, declared once: columns, sorts with a tie-breaker, typed filters, page sizes, export columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, computed_field

from bankcrm.kit import pagination
from bankcrm.kit.i18n import N_

T = TypeVar("T")
FilterType = Literal["str", "int", "date", "bool"]
Direction = Literal["ascending", "descending", "none"]
_BOOLS = {"true": True, "1": True, "on": True, "yes": True, "false": False, "0": False, "off": False, "no": False}


class ListParamError(ValueError):
    """A list parameter the list does not accept; ``param`` names it, ``message`` is a msgid with ``params``."""

    def __init__(self, param: str, message: str, **params: object) -> None:
        self.param = param
        self.message = message
        self.params = params
        super().__init__(message % params if params else message)


@dataclass(frozen=True)
class Column:
    """A column on screen; ``sortable`` columns take ``?sort=key`` (the repository maps the key to SQL)."""

    key: str
    label: str
    sortable: bool = True


@dataclass(frozen=True)
class Filter:
    """A filter parameter and the type its value must parse as (an empty value is no filter)."""

    name: str
    type: FilterType = "str"
    max_length: int = 100


@dataclass(frozen=True)
class ExportColumn:
    """An exported column: how to read it from a record, and the mask applied unless the reader may unmask."""

    label: str
    value: Callable[[Any], object]
    mask: Callable[[Any], object] | None = None


@dataclass(frozen=True)
class SortKey:
    """One ordering field and its direction."""

    field: str
    descending: bool = False

    def __str__(self) -> str:
        return ("-" if self.descending else "") + self.field


@dataclass(frozen=True)
class SortSpec:
    """The requested order; ``keys`` always ends with the list's unique tie-breaker, so pages never overlap."""

    requested: tuple[SortKey, ...]
    tie_breaker: str

    @property
    def keys(self) -> tuple[SortKey, ...]:
        """The requested keys, then the tie-breaker ascending (unless already requested)."""
        if any(k.field == self.tie_breaker for k in self.requested):
            return self.requested
        return (*self.requested, SortKey(self.tie_breaker))

    @property
    def param(self) -> str:
        """The ``sort`` query value that asks for this order again."""
        return ",".join(str(k) for k in self.requested)

    def direction(self, key: str) -> Direction:
        """The aria-sort value of a column: only the first requested key is the column sorted by."""
        if self.requested and self.requested[0].field == key:
            return "descending" if self.requested[0].descending else "ascending"
        return "none"

    def toggled(self, key: str) -> str:
        """The ``sort`` value a click on the column header asks for: ascending first, then descending."""
        return f"-{key}" if self.direction(key) == "ascending" else key


@dataclass(frozen=True)
class ListSpec:
    """Everything a list page, its API twin, its repository query and its export agree on."""

    name: str
    columns: tuple[Column, ...]
    default_sort: str
    tie_breaker: str = "id"
    filters: tuple[Filter, ...] = ()
    default_size: int = 25
    max_size: int = 200
    export: tuple[ExportColumn, ...] = ()
    audit_event: str | None = None
    export_limit: int = 10_000
    extra_sorts: tuple[str, ...] = field(default=())  # sortable fields with no column of their own

    @property
    def sort_fields(self) -> frozenset[str]:
        """Every field ``?sort=`` accepts (the tie-breaker included)."""
        return frozenset({c.key for c in self.columns if c.sortable} | set(self.extra_sorts) | {self.tie_breaker})

    def sort(self, raw: str | None, default: str | None = None) -> SortSpec:
        """``-opened_on,name`` as a SortSpec; an unknown or repeated field is an error naming ``sort``.

        Without ``raw`` the list's default applies, or ``default`` when given ("" asks for no key but
        the tie-breaker: a search keeps its own relevance order).
        """
        text = (raw or "").strip() or (self.default_sort if default is None else default)
        keys: list[SortKey] = []
        for part in text.split(",") if text else ():
            name = part.strip()
            key = SortKey(name[1:], True) if name.startswith("-") else SortKey(name.lstrip("+"))
            if key.field not in self.sort_fields:
                raise ListParamError(
                    "sort",
                    N_("Cannot sort by '%(field)s'; choose one of: %(fields)s."),
                    field=key.field,
                    fields=", ".join(sorted(self.sort_fields)),
                )
            if any(k.field == key.field for k in keys):
                raise ListParamError("sort", N_("'%(field)s' appears twice in the sort."), field=key.field)
            keys.append(key)
        return SortSpec(tuple(keys), self.tie_breaker)

    def page_request(self, page: int = 1, size: int | None = None) -> pagination.PageRequest:
        """The page asked for; a size above the list's maximum is an error naming ``size``."""
        size = self.default_size if size is None else size
        if not 1 <= size <= self.max_size:
            raise ListParamError("size", N_("The page size must be 1 to %(max)d."), max=self.max_size)
        if not 1 <= page <= pagination.MAX_PAGE:
            raise ListParamError("page", N_("The page must be 1 to %(max)d."), max=pagination.MAX_PAGE)
        return pagination.PageRequest(page, size)

    def read_filters(self, query: Mapping[str, str]) -> dict[str, Any]:
        """The declared filters typed (absent or empty: None); a value of the wrong type names its parameter."""
        values: dict[str, Any] = {}
        for f in self.filters:
            raw = (query.get(f.name) or "").strip()
            values[f.name] = _typed(f, raw) if raw else None
        return values

    def export_rows(self, records: Iterable[Any], *, unmask: bool = False) -> list[tuple[object, ...]]:
        """One row per record in export column order; masked columns masked unless ``unmask``."""
        return [tuple((c.value(r) if unmask or c.mask is None else c.mask(r)) for c in self.export) for r in records]


def in_memory(records: list[T], sort: SortSpec) -> list[T]:
    """``records`` in ``sort`` order by their attributes, for lists computed in Python (a few rows, not a query).

    Empty values (None) come last in either direction, as ``bankcrm.db.ordered`` puts them.
    """
    out = list(records)
    for key in reversed(sort.keys):  # stable sorts, least significant key first
        present = [r for r in out if getattr(r, key.field) is not None]
        missing = [r for r in out if getattr(r, key.field) is None]
        present.sort(key=attrgetter(key.field), reverse=key.descending)
        out = present + missing
    return out


def _typed(f: Filter, raw: str) -> object:
    if len(raw) > f.max_length:
        raise ListParamError(f.name, N_("At most %(max)d characters."), max=f.max_length)
    if f.type == "int":
        if not raw.isdigit():
            raise ListParamError(f.name, N_("Enter a whole number."))
        return int(raw)
    if f.type == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ListParamError(f.name, N_("Enter a date as YYYY-MM-DD.")) from None
    if f.type == "bool":
        if raw.lower() not in _BOOLS:
            raise ListParamError(f.name, N_("Enter true or false."))
        return _BOOLS[raw.lower()]
    return raw


class Page(BaseModel, Generic[T]):
    """One page of a list in the API: the items, the total, the page, its size and the page count.

    A domain subclasses it with no body (``class UserPage(Page[UserRead])``) so the OpenAPI schema
    keeps the name other systems' clients were generated with.
    """

    items: list[T]
    total: int
    page: int
    size: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.size))

    @classmethod
    def of(cls, result: pagination.Page[Any], items: list[T] | None = None, **extra: Any) -> Self:
        """The API page for a repository page, with ``items`` already converted (else the page's own)."""
        return cls(
            items=result.items if items is None else items,
            total=result.total,
            page=result.page,
            size=result.size,
            **extra,
        )
