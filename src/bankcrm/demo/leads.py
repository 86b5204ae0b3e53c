"""The demo's leads and referrals: rotas for Beijing and Shanghai, the teller's and lobby manager's referrals of
Wangjing customers (some accepted, qualified and converted, so the teller has points), prospects from the website,
an event and a campaign in both branches, and one lead that came back to the pool unaccepted."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bankcrm.access.principal import Principal
from bankcrm.access.service.auth import principal_for
from bankcrm.config import Settings
from bankcrm.kit.time import utcnow
from bankcrm.leads.schemas import LeadConvert, LeadCreate, LeadMove, ReferralCreate
from bankcrm.leads.service import assign, capture, conversion, progress, rota
from bankcrm.models.access import User
from bankcrm.models.customer import Customer
from bankcrm.models.lead import Lead, LeadStatus
from bankcrm.models.org import OrgUnit

# (interest, note) of the teller's and the lobby manager's referrals, in order
REFERRALS = [
    ("WEALTH", "到期存款想转理财"),
    ("LOAN", "问装修贷款"),
    ("CARD", "想办信用卡"),
    ("WEALTH", "咨询大额存单"),
    ("INSURANCE", "给父母买保险"),
    ("FUND", "问基金定投"),
]
# (source, interest, name, phone, amount in yuan, unit) of prospects
PROSPECTS = [
    ("WEB", "MORTGAGE", "赵敏", "19900001001", 1_200_000, "BJ"),
    ("EVENT", "WEALTH", "钱伟", "19900001002", 500_000, "BJ-CY"),
    ("CAMPAIGN", "CARD", "孙丽", "19900001003", None, "BJ-HD"),
    ("WEB", "LOAN", "周杰", "19900001004", 300_000, "BJ"),
    ("CUSTOMER", "WEALTH", "吴芳", "19900001005", 2_000_000, "SH"),
    ("WEB", "MORTGAGE", "郑强", "19900001006", 1_800_000, "SH-PD"),
]


def _principals(db: Session) -> dict[str, Principal]:
    users = db.scalars(select(User).where(User.username.in_(("manager", "am1", "am2", "teller", "lobby"))))
    return {u.username: principal_for(u) for u in users}


def build(db: Session, settings: Settings) -> int:
    """Make the rotas and the demo's leads through the services; returns how many leads were made."""
    zone, cipher = settings.timezone, settings.field_cipher()
    p = _principals(db)
    rota.put(db, "BJ", None, ["am1"])
    rota.put(db, "BJ", "LOAN", ["am1"])
    rota.put(db, "SH", None, ["am2"])
    outlet = db.scalar(select(OrgUnit.id).where(OrgUnit.code == "BJ-CY-01"))
    wangjing = db.scalars(
        select(Customer).where(Customer.home_unit_id == outlet, Customer.kind == "individual").order_by(Customer.cif_no)
    ).all()
    made: list[Lead] = []
    for i, (customer, (interest, note)) in enumerate(zip(wangjing, REFERRALS, strict=False)):
        referrer = p["teller"] if i % 3 != 2 else p["lobby"]
        made.append(
            capture.refer(
                db, referrer, cipher, ReferralCreate(cif_no=customer.cif_no, interest=interest, note=note), zone
            )
        )
    for source, interest, name, phone, amount, unit in PROSPECTS:
        creator = p["manager"] if unit.startswith("BJ") else p["am2"]
        data = LeadCreate(
            source=source, interest=interest, name=name, phone=phone, unit=unit, amount=amount * 100 if amount else None
        )
        if unit.startswith("SH"):
            data = data.model_copy(update={"source": "OWN" if source == "WEB" else source, "unit": None})
        made.append(capture.create(db, creator, cipher, data, zone))
    _work(db, p, cipher, made, zone)
    return len(made)


def _work(db: Session, p: dict[str, Principal], cipher: object, made: list[Lead], zone: str) -> None:
    """am1 accepts, contacts, qualifies and converts some of the Beijing leads; one returns to the pool."""
    am1 = p["am1"]
    mine = [x for x in made if x.assignee_id == am1.user_id]
    for i, lead in enumerate(mine):
        if i in (0, 1, 3):  # two referrals converted (the teller's points), one qualified
            progress.move(db, am1, lead.id, LeadMove(status=LeadStatus.CONTACTED))
            progress.move(db, am1, lead.id, LeadMove(status=LeadStatus.QUALIFIED))
            if lead.customer_id is not None and i != 3:
                conversion.convert(db, am1, cipher, lead.id, LeadConvert(), zone)  # type: ignore[arg-type]
        elif i == 2:
            assign.accept(db, am1, lead.id)
        elif i == 4:
            progress.move(db, am1, lead.id, LeadMove(status=LeadStatus.DISQUALIFIED, reason="NO_NEED"))
    late = next((x for x in reversed(mine) if x.status == LeadStatus.ASSIGNED and x.accepted_at is None), None)
    if late is not None:  # a lead am1 let lapse: back in the pool for the branch manager to reassign
        late.accept_due_at = utcnow() - timedelta(hours=1)
        db.flush()
        assign.expire(db, utcnow())
