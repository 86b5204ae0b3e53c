"""The pager: no "Previous" on the first page, no "Next" on the last, both in between."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import signed_in
from tests.factories import make_customer

CIFS = ["94000000001", "94000000002", "94000000003", "94000000004", "94000000005"]


def test_page_one_has_no_previous_link_and_the_last_page_no_next(client: TestClient, db: Session) -> None:
    # Given five customers of am1 listed two to a page (three pages), in the default order
    for cif_no in CIFS:
        make_customer(db, cif_no)
    am1 = signed_in(client, "am1")
    pages = [am1.get(f"/customers?sort=cif_no&size=2&page={n}").text for n in (1, 2, 3)]
    # Then page 1 links only to the next page, page 2 to both, page 3 only to the previous
    links = [(">Previous</a>" in p, ">Next</a>" in p, p.count('rel="prev"'), p.count('rel="next"')) for p in pages]
    assert links == [(False, True, 0, 1), (True, True, 1, 1), (True, False, 1, 0)]
    assert 'href="/customers?size=2&amp;page=2" rel="next"' in pages[0]
    assert 'href="/customers?size=2&amp;page=1" rel="prev"' in pages[1]
    # And in Chinese page 1 has no 上一页 either
    chinese = am1.get("/customers?sort=cif_no&size=2&page=1", headers={"Accept-Language": "zh-CN"}).text
    assert "上一页" not in chinese and "下一页" in chinese
