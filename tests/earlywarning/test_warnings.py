"""Warnings worked to an outcome over the API: escalation after N working days, outcome and win-back, scope, the
model's intake deduplicated against open warnings."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from bankcrm.earlywarning.service import analysis, raising
from bankcrm.earlywarning.service.intake import ModelCandidate, raise_from_model
from bankcrm.models.earlywarning import EarlyWarning
from tests.conftest import token_for, user_id
from tests.lifecycle.helpers import given_a_customer_over, held
from tests.value.helpers import principal

RAISED = date(2026, 12, 3)


def given_a_warning(db: Session, cif: str = "93000000001", unit: str = "BJ", manager: str = "am1") -> EarlyWarning:
    """A customer of am1 in Beijing whose AUM fell 62% and who moved ¥480,000 to other banks; the step raised."""
    pay = {"salary_count": 1, "salary_amount": 1_500_000}
    out = {"transfer_out_other_count": 3, "transfer_out_other_amount": 48_000_000}
    steady = held(3, 10_000_000, **pay)
    c = given_a_customer_over(
        db,
        cif,
        [steady, steady, steady, held(3, 9_000_000, **pay, **out), held(3, 3_800_000, **pay)],
        unit=unit,
        manager=manager,
    )
    raising.raise_from_signals(db, RAISED)
    db.commit()
    return db.query(EarlyWarning).filter_by(customer_id=c.id).one()


def test_am1_reads_the_reasons_in_words_and_am2_gets_404(client: TestClient, db: Session) -> None:
    w = given_a_warning(db)
    am1, am2 = token_for(client, "am1"), token_for(client, "am2")
    mine = client.get("/api/v1/warnings", headers=am1).json()
    assert [r["id"] for r in mine] == [w.id]
    assert mine[0]["reasons"] == [
        "AUM down 62% in 3 months (¥100,000 → ¥38,000)",
        "3 transfers, ¥480,000, to other banks in 3 months",
    ]
    assert client.get(f"/api/v1/warnings/{w.id}", headers=am2).status_code == 404
    assert client.get("/api/v1/warnings?view=branch", headers=am2).json() == []


def test_not_acted_on_in_3_working_days_escalates_to_the_branch_manager(client: TestClient, db: Session) -> None:
    # Given a warning raised Thursday 3 December, due Tuesday 8 December
    w = given_a_warning(db)
    # When the step runs on the due day, then the day after
    assert raising.escalate_due(db, date(2026, 12, 8)) == 0
    assert raising.escalate_due(db, date(2026, 12, 9)) == 1
    db.commit()
    # Then it is escalated to manager, on the timeline, and in manager's escalated view
    got = client.get(f"/api/v1/warnings/{w.id}", headers=token_for(client, "manager")).json()
    assert (got["status"]["code"], got["escalated_to"]) == ("ESCALATED", "manager")
    assert [e["kind"] for e in got["timeline"]] == ["RAISED", "ESCALATED"]
    listed = client.get("/api/v1/warnings?view=escalated", headers=token_for(client, "manager")).json()
    assert [r["id"] for r in listed] == [w.id]


def test_an_acted_on_warning_does_not_escalate(client: TestClient, db: Session) -> None:
    w = given_a_warning(db)
    am1 = token_for(client, "am1")
    r = client.post(
        f"/api/v1/warnings/{w.id}/actions",
        headers=am1,
        json={"action": "VISIT", "contact_on": "2026-12-04", "note": "Visited"},
    )
    assert r.status_code == 201 and r.json()["status"]["code"] == "ACTED"
    assert raising.escalate_due(db, date(2026, 12, 20)) == 0


def test_lost_outcome_needs_reason_and_bank_then_forms_the_win_back_list(client: TestClient, db: Session) -> None:
    w = given_a_warning(db)
    am1 = token_for(client, "am1")
    bad = client.post(f"/api/v1/warnings/{w.id}/outcome", headers=am1, json={"outcome": "LOST"})
    assert bad.status_code == 422
    assert sorted(e["field"] for e in bad.json()["errors"]) == ["lost_reason", "lost_to_bank"]
    ok = client.post(
        f"/api/v1/warnings/{w.id}/outcome",
        headers=am1,
        json={"outcome": "LOST", "lost_reason": "RATE", "lost_to_bank": "China Merchants Bank"},
    )
    assert ok.status_code == 200 and ok.json()["status"]["code"] == "CLOSED"
    db.expire_all()  # the API wrote through its own session
    rows = analysis.winback(db, principal(db, "am1"))
    assert [(r.cif_no, r.value_lost, r.reason, r.destination, r.after_3m) for r in rows] == [
        ("93000000001", 10_000_000, "RATE", "China Merchants Bank", None)
    ]
    by = analysis.lost_analysis(rows)
    assert [(b.key, b.customers, b.value) for b in by["reason"]] == [("RATE", 1, 10_000_000)]
    again = client.post(f"/api/v1/warnings/{w.id}/actions", headers=am1, json={"action": "CALL"})
    assert again.status_code == 422


def test_the_model_joins_an_open_warning_and_raises_for_others(db: Session) -> None:
    w = given_a_warning(db)
    other = given_a_customer_over(db, "93000000002", [held(1, 5_000_000)] * 5)
    month = date(2026, 11, 1)
    done = raise_from_model(
        db,
        [
            ModelCandidate(w.customer_id, 0.7, ["AUM down 62% in 3 months"], "churn-1", month),
            ModelCandidate(other.id, 0.45, ["¥200,000 time deposit not renewed"], "churn-1", month),
        ],
        today=RAISED,
    )
    assert (done.raised, done.joined) == (1, 1)
    db.refresh(w)
    assert (w.probability, w.severity) == (0.7, "HIGH")
    new = db.query(EarlyWarning).filter_by(customer_id=other.id).one()
    assert (new.source, new.probability, new.score, new.severity, new.assignee_id) == (
        "MODEL",
        0.45,
        None,
        "MEDIUM",
        user_id(db, "am1"),
    )
