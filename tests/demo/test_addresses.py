"""Demo addresses: the province (or municipality), city and district agree with each other and the home branch."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.models.customer import Customer, CustomerContact
from bankcrm.models.org import OrgUnit

# Written here from the map, not from the generator: how an address in each demo branch's city starts
# (a municipality is its own province and is written once), and that city's districts.
CITY = {
    "BJ": ("北京市", ("东城区", "西城区", "朝阳区", "海淀区", "丰台区", "石景山区", "通州区", "昌平区", "大兴区")),
    "SH": ("上海市", ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "浦东新区", "闵行区")),
    "GZ": ("广东省广州市", ("越秀区", "海珠区", "荔湾区", "天河区", "白云区", "黄埔区", "番禺区", "花都区")),
}
PROVINCES = ("北京市", "上海市", "天津市", "重庆市", "广东省", "河北省", "江苏省", "浙江省")


def test_every_address_starts_with_its_branchs_province_city_and_one_of_its_districts(demo_db: Session):
    # given every customer's postal addresses with the customer's kind and home branch
    rows = demo_db.execute(
        select(Customer.kind, OrgUnit.code, CustomerContact.purpose, CustomerContact.value)
        .join(Customer, Customer.id == CustomerContact.customer_id)
        .join(OrgUnit, OrgUnit.id == Customer.home_unit_id)
        .where(CustomerContact.channel == "address")
    ).all()
    wrong = []
    # when each is read against the map
    for kind, unit, purpose, text in rows:
        prefix, districts = CITY[unit.split("-")[0]]
        rest = text.removeprefix(prefix)
        named_twice = any(p in rest for p in PROVINCES) or "广州市" in rest  # "河北省上海市…" style mixes
        if rest == text or not rest.startswith(districts) or named_twice:
            wrong.append((kind, unit, text))
        assert purpose == ("HOME" if kind == "individual" else "OFFICE")
    # then all 360 customers' addresses (the demo's 160 and the 200 of the customers feed), individuals' and
    # companies', belong to their branch's city
    assert wrong == []
    assert sorted({k for k, _, _, _ in rows}) == ["corporate", "individual"] and len(rows) == 360
