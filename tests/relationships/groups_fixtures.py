"""Customers, links and figures for the group, circle and graph tests (written directly, dated today)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.jobs.service import runs
from bankcrm.models.customer import Customer
from bankcrm.models.holding import CustomerFigure
from bankcrm.models.relationship import CustomerLink
from tests.factories import make_customer

# A three-level shareholding in Beijing (am1): PERSON actually controls HOLD, HOLD holds 60 % of MID,
# MID holds 80 % of LEAF and exactly 50 % of HALF (not control), SUB is a subsidiary of MID.
PERSON = "91000000001"
HOLD = "91000000101"
MID = "91000000102"
LEAF = "91000000103"
HALF = "91000000104"
SUB = "91000000105"
# An ownership cycle: CYC_A and CYC_B hold 60 % of each other, CYC_B holds 70 % of SH_CO (Shanghai, am2).
CYC_A = "91000000111"
CYC_B = "91000000112"
SH_CO = "91000000113"
# Guarantees: a 3-cycle G1 → G2 → G3 → G1, a 2-cycle G4 ⇄ G5, a chain G6 → G7 → G8 (no circle).
G = [f"9100000020{i}" for i in range(1, 9)]


def given_group_customers(db: Session) -> dict[str, Customer]:
    """Every customer of the shareholding case, the cycle and the guarantees."""
    made = {PERSON: make_customer(db, PERSON, name="王大伟")}
    names = {
        HOLD: "北京控股集团有限公司",
        MID: "北京中科实业有限公司",
        LEAF: "北京叶子科技有限公司",
        HALF: "北京半山贸易有限公司",
        SUB: "北京子丰物流有限公司",
        CYC_A: "北京甲环投资有限公司",
        CYC_B: "北京乙环投资有限公司",
    }
    for cif_no, name in names.items():
        made[cif_no] = make_customer(db, cif_no, name=name, kind="corporate")
    made[SH_CO] = make_customer(db, SH_CO, unit="SH", manager="am2", name="上海丙环制造有限公司", kind="corporate")
    for i, cif_no in enumerate(G):
        made[cif_no] = make_customer(db, cif_no, name=f"北京担保{i + 1}有限公司", kind="corporate")
    return made


def add_link(
    db: Session,
    made: dict[str, Customer],
    source: str,
    link_type: str,
    target: str,
    *,
    share: int | None = None,
    amount: int | None = None,
    valid_to: date | None = None,
) -> CustomerLink:
    """A link from ``source`` to ``target`` valid from a year ago."""
    link = CustomerLink(
        from_customer_id=made[source].id,
        to_customer_id=made[target].id,
        link_type=link_type,
        share_pct_bp=share,
        amount=amount,
        valid_from=date.today() - timedelta(days=365),
        valid_to=valid_to,
    )
    db.add(link)
    db.flush()
    return link


def given_shareholdings(db: Session, made: dict[str, Customer]) -> None:
    """The three-level case and the cycle, with guarantees given by members and others."""
    add_link(db, made, PERSON, "ACTUAL_CONTROLLER_OF", HOLD)
    add_link(db, made, HOLD, "SHAREHOLDER_OF", MID, share=6000)
    add_link(db, made, MID, "SHAREHOLDER_OF", LEAF, share=8000)
    add_link(db, made, MID, "SHAREHOLDER_OF", HALF, share=5000)
    add_link(db, made, SUB, "SUBSIDIARY_OF", MID)
    add_link(db, made, CYC_A, "SHAREHOLDER_OF", CYC_B, share=6000)
    add_link(db, made, CYC_B, "SHAREHOLDER_OF", CYC_A, share=6000)
    add_link(db, made, CYC_B, "SHAREHOLDER_OF", SH_CO, share=7000)
    # guarantees counted in the first group's exposure: MID's for HALF; not PERSON's (an individual),
    # not HOLD's ended one
    add_link(db, made, MID, "GUARANTOR_FOR", HALF, amount=3_000_000)
    add_link(db, made, PERSON, "GUARANTOR_FOR", LEAF, amount=1_000)
    add_link(db, made, HOLD, "GUARANTOR_FOR", HALF, amount=9_999, valid_to=date.today() - timedelta(days=1))


def given_figures(db: Session, made: dict[str, Customer]) -> None:
    """Loans and deposits (fen) of some customers; LEAF has none yet."""
    figures = {
        HOLD: (10_000_000, 500_000),
        MID: (20_000_000, 0),
        SUB: (0, 700_000),
        HALF: (999, 999),
        PERSON: (5_000, 5_000),
    }
    for cif_no, (loans, deposits) in figures.items():
        db.add(
            CustomerFigure(
                customer_id=made[cif_no].id,
                as_of=date.today(),
                aum=deposits,
                deposit_balance=deposits,
                loan_balance=loans,
                monthly_avg_balance=0,
                product_count=1,
                balance_series="[]",
            )
        )
    db.flush()


def given_guarantees(db: Session, made: dict[str, Customer]) -> None:
    """The 3-cycle, the 2-cycle and the chain."""
    g1, g2, g3, g4, g5, g6, g7, g8 = G
    add_link(db, made, g1, "GUARANTOR_FOR", g2, amount=100)
    add_link(db, made, g2, "GUARANTOR_FOR", g3, amount=200)
    add_link(db, made, g3, "GUARANTOR_FOR", g1, amount=300)
    add_link(db, made, g4, "GUARANTOR_FOR", g5, amount=1_000)
    add_link(db, made, g5, "GUARANTOR_FOR", g4, amount=2_000)
    add_link(db, made, g6, "GUARANTOR_FOR", g7, amount=10)
    add_link(db, made, g7, "GUARANTOR_FOR", g8, amount=20)
    # a guarantee from the 3-cycle out to the chain is not inside any circle
    add_link(db, made, g1, "GUARANTOR_FOR", g6, amount=50_000)


def run_queued_groups(client: TestClient) -> dict[str, Any]:
    """Run the queued ``groups`` step as ``bankcrm batch queued`` would, in the test's transaction; its report."""
    app: Any = client.app
    steps = runs.run_steps(app.state.sessionmaker, app.state.settings, ["groups"])
    assert [(s.job.code, s.outcome) for s in steps] == [("groups", "ok")], steps
    report: dict[str, Any] = steps[0].result.report.model_dump()  # type: ignore[union-attr]
    return report


def derive(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Press derive through the API (it only queues the step), then run the step; the derivation's report."""
    response = client.post("/api/v1/groups/derive", headers=headers)
    assert response.status_code == 202, response.text
    assert (response.json()["job_code"], response.json()["outcome"]) == ("groups", "queued")
    return run_queued_groups(client)
