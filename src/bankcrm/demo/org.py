"""The demo bank's org tree and staff (demo mode only: every password is demo1234)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.schemas import OrgUnitCreate, UserCreate
from bankcrm.access.service import units as unit_service
from bankcrm.access.service import users as user_service
from bankcrm.models.org import OrgUnit

DEMO_PASSWORD = "demo1234"  # noqa: S105 - documented demo credential, refused outside the demo builder

# (code, English, Chinese, sub-branches as (code, English, Chinese, outlets as (code, English, Chinese)))
BRANCHES = [
    (
        "BJ",
        "Beijing Branch",
        "北京分行",
        [
            (
                "BJ-CY",
                "Chaoyang Sub-branch",
                "朝阳支行",
                [("BJ-CY-01", "Wangjing Outlet", "望京网点"), ("BJ-CY-02", "Guomao Outlet", "国贸网点")],
            ),
            ("BJ-HD", "Haidian Sub-branch", "海淀支行", [("BJ-HD-01", "Zhongguancun Outlet", "中关村网点")]),
            ("BJ-XC", "Xicheng Sub-branch", "西城支行", []),
        ],
    ),
    (
        "SH",
        "Shanghai Branch",
        "上海分行",
        [
            ("SH-PD", "Pudong Sub-branch", "浦东支行", [("SH-PD-01", "Lujiazui Outlet", "陆家嘴网点")]),
            ("SH-HP", "Huangpu Sub-branch", "黄浦支行", []),
            ("SH-XH", "Xuhui Sub-branch", "徐汇支行", []),
        ],
    ),
    (
        "GZ",
        "Guangzhou Branch",
        "广州分行",
        [
            ("GZ-TH", "Tianhe Sub-branch", "天河支行", [("GZ-TH-01", "Zhujiang New Town Outlet", "珠江新城网点")]),
            ("GZ-YX", "Yuexiu Sub-branch", "越秀支行", []),
            ("GZ-HZ", "Haizhu Sub-branch", "海珠支行", []),
        ],
    ),
]

# (username, display name, unit code, role)
STAFF = [
    ("admin", "系统管理员 Admin", "HO", "admin"),
    ("manager", "王经理 Wang (Branch manager)", "BJ", "management"),
    ("am1", "李明 Li Ming", "BJ", "account_manager"),
    ("am2", "陈静 Chen Jing", "SH", "account_manager"),
    ("lobby", "赵丽 Zhao Li", "BJ-CY", "lobby_manager"),
    ("teller", "刘洋 Liu Yang", "BJ-CY-01", "teller"),
    ("product", "孙悦 Sun Yue", "HO", "product_manager"),
    ("risk", "周强 Zhou Qiang", "HO", "risk_manager"),
    ("ops", "吴敏 Wu Min", "BJ", "operations_manager"),
]


@dataclass(frozen=True)
class DemoUser:
    """A demo login to print."""

    username: str
    role: str
    unit: str


def _unit(db: Session, code: str, en: str, zh: str, kind: str, parent: OrgUnit) -> OrgUnit:
    data = OrgUnitCreate(code=code, name_en=en, name_zh=zh, kind_code=kind, parent_id=parent.id)
    return unit_service.create_unit(db, SYSTEM_PRINCIPAL, data)


def build_org(db: Session) -> dict[str, OrgUnit]:
    """Head office (from the migration), 3 branches, 9 sub-branches and 5 outlets."""
    units = {u.code: u for u in unit_service.list_units(db, SYSTEM_PRINCIPAL)}
    head = units["HO"]
    for code, en, zh, subs in BRANCHES:
        branch = _unit(db, code, en, zh, "branch", head)
        units[code] = branch
        for sub_code, sub_en, sub_zh, outlets in subs:
            sub = _unit(db, sub_code, sub_en, sub_zh, "sub_branch", branch)
            units[sub_code] = sub
            for o_code, o_en, o_zh in outlets:
                units[o_code] = _unit(db, o_code, o_en, o_zh, "outlet", sub)
    return units


def build_staff(db: Session, units: dict[str, OrgUnit]) -> list[DemoUser]:
    """The nine demo users, one per role (two account managers)."""
    made = []
    for username, name, unit_code, role in STAFF:
        data = UserCreate(
            username=username, display_name=name, org_unit_id=units[unit_code].id, password=DEMO_PASSWORD, roles=[role]
        )
        user_service.create_user(db, SYSTEM_PRINCIPAL, data, enforce_policy=False)
        made.append(DemoUser(username, role, unit_code))
    return made


def already_built(db: Session) -> bool:
    """Whether the demo bank exists in this database."""
    return any(u.code == "BJ" for u in unit_service.list_units(db, SYSTEM_PRINCIPAL))


def build(db: Session) -> list[DemoUser]:
    """Org tree and staff, in the caller's transaction."""
    return build_staff(db, build_org(db))


def staff_list() -> list[DemoUser]:
    """The demo logins, for printing."""
    return [DemoUser(u, r, c) for u, _n, c, r in STAFF]
