"""ListSpec and SortSpec: parsing ?sort=, the tie-breaker, typed filters, page sizes, masked export rows."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from bankcrm.kit.listing import Column, ExportColumn, Filter, ListParamError, ListSpec, Page, SortKey
from bankcrm.kit.pagination import Page as ResultPage

SPEC = ListSpec(
    name="accounts",
    columns=(Column("opened_on", "Opened"), Column("name", "Name"), Column("note", "Note", sortable=False)),
    default_sort="-opened_on",
    tie_breaker="id",
    filters=(Filter("q"), Filter("unit_id", "int"), Filter("since", "date"), Filter("active", "bool")),
    max_size=50,
    export=(
        ExportColumn("Name", lambda r: r.name, mask=lambda r: r.name[0] + "*"),
        ExportColumn("Opened", lambda r: r.opened_on),
    ),
)


def test_a_sort_is_the_requested_keys_then_the_tie_breaker() -> None:
    sort = SPEC.sort("-opened_on,name")
    assert sort.keys == (SortKey("opened_on", True), SortKey("name"), SortKey("id"))
    assert sort.param == "-opened_on,name"
    assert SPEC.sort("-id").keys == (SortKey("id", True),)  # asking for the tie-breaker: no second copy
    assert SPEC.sort(None).param == "-opened_on"  # the default
    assert SPEC.sort(None, default="").keys == (SortKey("id"),)  # a search's own order, ties still broken


def test_the_header_state_and_the_next_click() -> None:
    sort = SPEC.sort("name")
    assert (sort.direction("name"), sort.toggled("name")) == ("ascending", "-name")
    assert (sort.direction("opened_on"), sort.toggled("opened_on")) == ("none", "opened_on")
    desc = SPEC.sort("-name")
    assert (desc.direction("name"), desc.toggled("name")) == ("descending", "name")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("note", "Cannot sort by 'note'; choose one of: id, name, opened_on."),
        ("-password", "Cannot sort by 'password'; choose one of: id, name, opened_on."),
        ("name,-name", "'name' appears twice in the sort."),
        ("name,", "Cannot sort by ''; choose one of: id, name, opened_on."),
    ],
)
def test_an_unknown_or_repeated_sort_field_names_the_sort_parameter(raw: str, message: str) -> None:
    with pytest.raises(ListParamError) as err:
        SPEC.sort(raw)
    assert (err.value.param, str(err.value)) == ("sort", message)


def test_filters_are_typed_and_a_bad_value_names_its_parameter() -> None:
    query = {"q": " ab ", "unit_id": "12", "since": "2026-01-31", "active": "off", "other": "x"}
    assert SPEC.read_filters(query) == {"q": "ab", "unit_id": 12, "since": date(2026, 1, 31), "active": False}
    assert SPEC.read_filters({}) == {"q": None, "unit_id": None, "since": None, "active": None}
    for name, value in (("unit_id", "x1"), ("since", "2026-02-30"), ("active", "maybe"), ("q", "x" * 101)):
        with pytest.raises(ListParamError) as err:
            SPEC.read_filters({name: value})
        assert err.value.param == name


def test_page_size_above_the_maximum_is_refused() -> None:
    assert (SPEC.page_request(3).offset, SPEC.page_request(3).size) == (50, 25)
    with pytest.raises(ListParamError) as err:
        SPEC.page_request(1, 51)
    assert (err.value.param, str(err.value)) == ("size", "The page size must be 1 to 50.")


def test_export_rows_are_masked_unless_unmasked() -> None:
    rows = [SimpleNamespace(name="王小明", opened_on=date(2026, 1, 2))]
    assert SPEC.export_rows(rows) == [("王*", date(2026, 1, 2))]
    assert SPEC.export_rows(rows, unmask=True) == [("王小明", date(2026, 1, 2))]


def test_the_api_page_counts_its_pages() -> None:
    page = Page[str].of(ResultPage(["a", "b"], 51, 2, 25))
    assert page.model_dump() == {"items": ["a", "b"], "total": 51, "page": 2, "size": 25, "pages": 3}
    assert Page[int](items=[], total=0, page=1, size=25).pages == 1
