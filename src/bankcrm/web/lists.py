"""The HTTP side of a list: sort, filter and page parameters, header links, and the one export response."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from bankcrm.access.principal import Actor, Principal
from bankcrm.audit import service as audit_service
from bankcrm.errors import FieldError, NotFound, ValidationFailed
from bankcrm.kit.i18n import N_, translations
from bankcrm.kit.listing import ListParamError, ListSpec, SortSpec
from bankcrm.kit.pagination import PageRequest
from bankcrm.web.export import MEDIA, export_response
from bankcrm.web.templating import locale_of

# Parameters the list itself reads; everything else in the query string is left to the route.
OWN_PARAMS = ("sort", "page", "size")


def invalid(err: ListParamError) -> ValidationFailed:
    """The 422 for a bad list parameter, naming it."""
    return ValidationFailed(errors=[FieldError(err.param, err.message, err.params)])


def sort_of(spec: ListSpec, raw: str | None) -> SortSpec:
    """``?sort=`` parsed for ``spec``, or a 422 naming ``sort``."""
    try:
        return spec.sort(raw)
    except ListParamError as err:
        raise invalid(err) from None


def page_of(spec: ListSpec, page: int = 1, size: int | None = None) -> PageRequest:
    """``?page=&size=`` checked against ``spec``, or a 422 naming the parameter."""
    try:
        return spec.page_request(page, size)
    except ListParamError as err:
        raise invalid(err) from None


@dataclass(frozen=True)
class ListQuery:
    """What one request asked of a list: its sort, page and typed filters, and the raw filters for links."""

    spec: ListSpec
    sort: SortSpec
    page: PageRequest
    filters: dict[str, Any]
    given: dict[str, str]

    def params(self, **overrides: object) -> dict[str, str]:
        """Query parameters that ask for this list again (filters, sort), with ``overrides``."""
        out = dict(self.given)
        if self.sort.requested and self.sort.param != self.spec.default_sort:
            out["sort"] = self.sort.param
        if self.page.size != self.spec.default_size:
            out["size"] = str(self.page.size)
        for key, value in overrides.items():
            if value in (None, ""):
                out.pop(key, None)
            else:
                out[key] = str(value)
        return out

    def query(self, **overrides: object) -> str:
        """``params`` as a query string."""
        return urlencode(self.params(**overrides))

    def header(self, key: str) -> dict[str, str]:
        """A sortable column header: its aria-sort value and the query its click asks for (back to page 1)."""
        return {"aria_sort": self.sort.direction(key), "query": self.query(sort=self.sort.toggled(key), page=None)}


def read(
    request: Request,
    spec: ListSpec,
    *,
    size: int | None = None,
    extra: Iterable[str] = (),
    default_sort: str | None = None,
) -> ListQuery:
    """The list parameters of ``request`` for ``spec``; a bad one is a 422 naming it.

    ``extra`` names route parameters outside ``spec.filters`` that the sort and export links
    must carry along (a route's own untyped options).
    """
    query = request.query_params
    try:
        sort = spec.sort(query.get("sort"), default_sort)
        page_no = query.get("page") or "1"
        size_raw = query.get("size")
        if not page_no.isdigit():
            raise ListParamError("page", N_("Enter a whole number."))
        if size_raw is not None and not size_raw.isdigit():
            raise ListParamError("size", N_("Enter a whole number."))
        page = spec.page_request(int(page_no), int(size_raw) if size_raw else size)
        filters = spec.read_filters(query)
    except ListParamError as err:
        raise invalid(err) from None
    names = [f.name for f in spec.filters] + list(extra)
    given = {n: query[n].strip() for n in names if query.get(n, "").strip()}
    return ListQuery(spec, sort, page, filters, given)


def export(
    request: Request,
    db: Session,
    principal: Principal,
    spec: ListSpec,
    fmt: str,
    records: Iterable[Any],
    *,
    unmask: bool = False,
    detail: str = "",
) -> Response:
    """The records as ``spec.name``.csv/.xlsx: bilingual headers, masked unless ``unmask``, one audit event."""
    if fmt not in MEDIA:  # before anything is read or audited
        raise NotFound(N_("Unknown export format."))
    rows = spec.export_rows(records, unmask=unmask)
    if spec.audit_event:
        shown = f"{len(rows)} rows; {detail}".strip().rstrip(";")
        audit_service.record(db, Actor.of(principal), spec.audit_event, detail=shown + ("; unmasked" if unmask else ""))
    tr = translations(locale_of(request))
    headers = [tr.gettext(c.label) for c in spec.export]
    return export_response(fmt, spec.name, headers, rows)
