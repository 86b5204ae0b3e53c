"""Sales in the demo: am1's pipeline across the stages (some won, one lost to a competitor), a week of calls and
planned visits, this month's targets for the Beijing managers and the branch; the holdings then propose wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.service.auth import principal_for
from bankcrm.config import Settings
from bankcrm.kit.time import today_in
from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.sales.schemas import ActivityCreate, OpportunityCreate, OpportunityDetail, StageMove, TargetSet
from bankcrm.sales.service import activities, opportunities, targets, wins

# (product, amount in yuan, stage reached, note) for am1's first customers in CIF order, one each.
PIPELINE = (
    ("WM-R2-180D", 500_000, "PROPOSAL", "稳健型理财，客户关注流动性"),
    ("TD-1Y", 1_000_000, "SIGNING", "年底到期资金转存一年定期"),
    ("PL-CONS", 200_000, "APPROVAL", "装修贷款，待审批"),
    ("FD-MMF", 300_000, "CONTACT", None),
    ("TD-3M", 150_000, "IDENTIFY", None),
    ("WM-R3-1Y", 800_000, "WON", "已签约"),
    ("INS-ANN", 100_000, "LOST", "客户选择他行年金险"),
    ("TD-6M", 400_000, "PROPOSAL", None),
)
# (day offset from Monday, hour, kind, status, outcome, note) for am1's week
WEEK = (
    (0, 10, "CALL", "DONE", "INTERESTED", "电话沟通理财方案"),
    (1, 14, "VISIT", "DONE", "FOLLOW_UP", "上门拜访，讨论定期转存"),
    (2, 9, "WECHAT", "DONE", "INTERESTED", "微信发送产品说明书"),
    (3, 15, "VISIT", "PLANNED", None, None),
    (4, 10, "VISIT", "PLANNED", None, None),
    (4, 16, "MEETING", "PLANNED", None, "与客户及家人面谈"),
)
# (kind, target for am1, for the branch) this month; money in fen
TARGETS = (
    ("AUM_GROWTH", 500_000_000, 5_000_000_000),
    ("DEPOSITS", 3_000_000_000, 40_000_000_000),
    ("WEALTH_SALES", 200_000_000, 2_000_000_000),
    ("OPPS_WON", 5, 40),
    ("VISITS", 12, 120),
    ("NEW_CUSTOMERS", 4, 30),
)


def build(db: Session, settings: Settings) -> tuple[int, int, int]:
    """Build the sales demo; (opportunities, activities, targets) made."""
    today = today_in(settings.timezone)
    am1 = principal_for(db.scalars(select(User).where(User.username == "am1")).one())
    manager = principal_for(db.scalars(select(User).where(User.username == "manager")).one())
    mine = list(
        db.scalars(
            select(Customer.cif_no)
            .where(Customer.account_manager_id == am1.user_id, Customer.status == "ACTIVE")
            .order_by(Customer.cif_no)
            .limit(len(PIPELINE))
        )
    )
    made: list[OpportunityDetail] = []
    for cif_no, (product, yuan, stage, note) in zip(mine, PIPELINE, strict=False):
        body = OpportunityCreate(
            cif_no=cif_no,
            product_code=product,
            amount=yuan * 100,
            expected_close=today + timedelta(days=30 + 7 * len(made)),
            note=note,
        )
        o = opportunities.create(db, am1, body, "zh_CN")
        path = [s for s in ("CONTACT", "PROPOSAL", "APPROVAL", "SIGNING") if _before(s, stage)]
        for step in path:
            opportunities.move(db, am1, o.id, StageMove(stage=step), today=today, locale="zh_CN")
        if stage == "WON":
            opportunities.move(db, am1, o.id, StageMove(stage="WON"), today=today, locale="zh_CN")
        elif stage == "LOST":
            lost = StageMove(stage="LOST", lost_reason="CHOSE_COMPETITOR", competitor="CMB")
            opportunities.move(db, am1, o.id, lost, today=today, locale="zh_CN")
        elif stage != "IDENTIFY":
            opportunities.move(db, am1, o.id, StageMove(stage=stage), today=today, locale="zh_CN")
        made.append(o)
    monday = activities.monday_of(today)
    logged = 0
    for n, (offset, hour, kind, status, outcome, note) in enumerate(WEEK):
        if not mine:
            break
        at = datetime(monday.year, monday.month, monday.day, hour, tzinfo=UTC) + timedelta(days=offset, hours=-8)
        act = ActivityCreate(
            cif_no=mine[n % len(mine)],
            kind=kind,
            status=status,
            starts_at=at,
            duration_min=30 if kind in ("CALL", "WECHAT") else 60,
            outcome=outcome,
            notes=note,
            opportunity_id=made[n % len(made)].id if made else None,
        )
        activities.create(db, am1, act, "zh_CN")
        logged += 1
    period = today.strftime("%Y-%m")
    for kind, own, branch in TARGETS:
        targets.set_target(db, manager, TargetSet(kind=kind, period=period, unit="BJ", manager="am1", value=own))
        targets.set_target(db, manager, TargetSet(kind=kind, period=period, unit="BJ", value=branch))
    wins.propose(db, today=today)
    return len(made), logged, 2 * len(TARGETS)


def _before(step: str, stage: str) -> bool:
    """Whether ``step`` comes before the stage reached (won and lost come after signing)."""
    order = ("IDENTIFY", "CONTACT", "PROPOSAL", "APPROVAL", "SIGNING")
    if stage in ("WON", "LOST"):
        return True
    return order.index(step) < order.index(stage)
