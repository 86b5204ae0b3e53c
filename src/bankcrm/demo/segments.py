"""Segments in the demo: the branch manager and the account managers save the segments a branch works with."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.service.auth import principal_for
from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.segments.schemas import SegmentWrite, StaticWrite
from bankcrm.segments.service import saved

PREMIUM = {"feature": "tier", "op": "in", "value": ["VIP", "WEALTH", "PRIVATE"]}
# (owner, name, description, visibility, specification)
RULES: tuple[tuple[str, str, str, str, dict[str, Any]], ...] = (
    (
        "manager",
        "贵宾客户资产流失预警",
        "贵宾及以上客户,月日均AUM近3个月下降超过20%",
        "bank",
        {"all": [PREMIUM, {"feature": "aum_avg", "change_pct_over_months": 3, "op": "<=", "value": -20}]},
    ),
    (
        "manager",
        "高净值理财潜客",
        "月日均AUM 50万元以上、尚未持有理财产品",
        "unit",
        {
            "all": [
                {"feature": "aum_avg", "op": ">=", "value": 50_000_000},
                {"feature": "held_wealth", "op": "=", "value": 0},
            ]
        },
    ),
    (
        "manager",
        "代发工资客户",
        "本月有代发工资入账的客户",
        "bank",
        {"feature": "salary_count", "op": ">=", "value": 1},
    ),
    (
        "am1",
        "沉睡客户唤醒",
        "半年以上没有交易的个人客户",
        "private",
        {
            "all": [
                {"feature": "kind", "op": "=", "value": "individual"},
                {"feature": "days_since_txn", "op": ">=", "value": 180},
            ]
        },
    ),
    (
        "am1",
        "家庭客户中的贵宾",
        "属于某家庭的贵宾及以上客户",
        "unit",
        {"all": [{"member_of": "household"}, PREMIUM]},
    ),
)


def build(db: Session, settings: Settings) -> int:
    """The rule segments above and a static list of am2's first customers; how many segments were saved."""
    today = today_in(settings.timezone)
    users = {u.username: u for u in db.scalars(select(User).where(User.username.in_(("manager", "am1", "am2"))))}
    for owner, name, description, visibility, spec in RULES:
        body = SegmentWrite(name=name, description=description, visibility=visibility, spec=spec)
        saved.create(db, principal_for(users[owner]), body, today=today, locale="zh_CN")
    am2 = users["am2"]
    listed = db.scalars(
        select(Customer.cif_no).where(Customer.account_manager_id == am2.id).order_by(Customer.cif_no).limit(8)
    ).all()
    if not listed:
        return len(RULES)
    body2 = StaticWrite(name="新春回访名单", description="分行下发的新春回访客户名单", cif_nos=list(listed))
    saved.create_static(db, principal_for(am2), body2, today=today, locale="zh_CN")
    return len(RULES) + 1
