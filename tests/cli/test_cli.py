"""The bankcrm command line against a real SQLite file: upgrade, demo, users create, audit verify."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bankcrm.cli.main import app
from bankcrm.config import get_settings
from tests.demo_build import DemoBuild

runner = CliRunner()


@pytest.fixture
def built_demo(demo_build: DemoBuild) -> DemoBuild:
    """The demo built once per session by `bankcrm demo --no-serve` (tests/demo_build.py); tests work on copies."""
    return demo_build


@pytest.fixture
def demo_file(built_demo: DemoBuild, db_file: Path) -> Path:
    """A private copy of the built demo at the test's database path."""
    return built_demo.copy_to(db_file)


def _count(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def test_demo_builds_once_and_verify_passes(built_demo, demo_file):
    # Given the demo built into an empty database
    first = built_demo.output
    for name in ("admin", "manager", "am1", "am2", "lobby", "teller", "product", "risk", "ops"):
        assert name in first
    assert "160 customers" in first
    # When it is run again on that database
    second = runner.invoke(app, ["demo", "--no-serve"])
    # Then nothing is rebuilt, and the bank holds what the demo describes
    assert second.exit_code == 0 and "already built" in second.output
    with sqlite3.connect(demo_file) as conn:
        assert conn.execute("select count(*) from app_user").fetchone() == (9,)
        assert conn.execute("select count(*) from org_unit").fetchone() == (18,)
        # 160 customers of the demo's own, and the 200 core banking delivered in the customers feed
        assert conn.execute("select count(*) from customer").fetchone() == (360,)
        waiting = "select maker_name, count(*) from change_request where status = 'submitted' group by maker_name"
        # three in the Beijing manager's inbox, and the credit system's new customers waiting for a checker
        assert dict(conn.execute(waiting).fetchall()) == {"am1": 3, "source:CREDIT": 18}
        events = dict(conn.execute("select action, count(*) from audit_event group by action").fetchall())
        # every write of the demo left exactly one event: one per row it made, one per batch step it ran
        feeds = "select count(*) from ingest_run join ingest_batch on ingest_batch.id = ingest_run.batch_id"
        files = _count(conn, f"{feeds} where file_type not in ('customers', 'account_parties')")
        assert f"{files} core-banking files" in " ".join(first.split())
        assert _count(conn, f"{feeds} where file_type = 'account_parties'") == 1  # joint holders and signatories
        assert _count(conn, f"{feeds} where file_type = 'customers'") == 2  # CORE and CREDIT
        assert events == {
            "user.create": _count(conn, "select count(*) from app_user"),
            # the head office comes with the migrations; the demo creates the other units
            "org_unit.create": _count(conn, "select count(*) from org_unit where parent_id is not null"),
            "customer.create": _count(conn, "select count(*) from customer"),
            # the credit system's newer contact details taken on customers core banking delivered (most recent wins)
            "customer.update": _count(
                conn,
                "select count(distinct customer_id) from customer_field_change where changed_by_name = 'source:CREDIT'",
            ),
            "change_request.submit": _count(conn, "select count(*) from change_request"),
            "change_request.approve": _count(conn, "select count(*) from change_request where status = 'approved'"),
            "customer_link.created": _count(conn, "select count(*) from customer_link"),
            "ingest.loaded": files + 3,  # the core-banking files, the parties file, the CORE and CREDIT feeds
            "batch.nightly": 1,
            "household.derived": 1,
            "relationships.derived": 1,
            "insight.snapshot": 1,  # the snapshot backfilled over the delivered months
            "lifecycle.evaluated": 1,  # the lifecycle step over the snapshot's months
            # the managers' manual tags (the demo's rule tags are computed as the nightly does, one audit-free pass)
            "customer.tag_applied": _count(conn, "select count(*) from customer_tag where source = 'manual'"),
            # the managers' saved segments (five rule segments and one uploaded list)
            "segment.created": _count(conn, "select count(*) from segment"),
            # the past weeks' maturity follow-ups the account managers recorded
            "task.completed": _count(conn, "select count(*) from task where status = 'DONE'"),
            "assignment_request.submit": _count(conn, "select count(*) from assignment_request"),
            "assignment_request.approve": _count(
                conn, "select count(*) from assignment_request where status = 'approved'"
            ),
            # the contribution step's first run, and the curve change waiting for the risk manager
            "contribution.computed": 1,
            "pricing_change.submit": _count(conn, "select count(*) from pricing_change where status = 'submitted'"),
            # the churn model trained once on the snapshot and the newest month scored
            "churn.trained": 1,
            "churn.scored": 1,
            # the champion's likeliest customers taken in as MODEL warnings, as the warnings step does
            "warning.model_intake": 1,
            # am1's warnings: a visit and a call logged, one retained, one lost with a win-back plan, one escalated
            "warning.action": 2,
            "warning.outcome": 2,
            "warning.winback_plan": 1,
            "warning.escalated": 1,
            # referrals by the teller and the lobby manager, prospects, worked by am1; two converted
            "lead.referred": 6,
            "lead.created": 6,
            "lead.accepted": 1,
            "lead.moved": 7,
            "lead.converted": 2,
            # am1's pipeline (its own and the two converted leads'), its moves, the week's activities, the targets
            "opportunity.create": _count(conn, "select count(*) from opportunity"),
            "opportunity.stage": 22,
            "activity.create": _count(conn, "select count(*) from activity"),
            "target.set": _count(conn, "select count(*) from sales_target"),
        }
        total = _count(conn, "select count(*) from audit_event")
        assert total == sum(events.values()) == _count(conn, "select max(seq) from audit_event")
    # And the audit chain verifies over every one of those events
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0
    assert f"Audit chain intact: {total} events verified." in verify.output


def test_keys_rotate_reencrypts_everything_under_the_new_version(demo_file, monkeypatch):
    # given a demo bank encrypted under key version 1
    db_file = demo_file
    new_key = runner.invoke(app, ["keys", "generate"]).output.strip()
    assert len(new_key) == 44
    # when version 2 is added and made current, and the keys are rotated
    from bankcrm.config import DEV_PII_KEYS

    monkeypatch.setenv("BANKCRM_PII_KEYS", f"{DEV_PII_KEYS},2:{new_key}")
    monkeypatch.setenv("BANKCRM_PII_KEY_VERSION", "2")
    get_settings.cache_clear()
    rotated = runner.invoke(app, ["keys", "rotate"])
    # then every encrypted value is under version 2, and a second run has nothing left to do
    assert rotated.exit_code == 0, rotated.output
    with sqlite3.connect(db_file) as conn:
        tokens = [r[0] for r in conn.execute("select id_no_enc from customer where id_no_enc is not null")]
        tokens += [r[0] for r in conn.execute("select value_enc from customer_contact where value_enc is not null")]
        tokens += [r[0] for r in conn.execute("select payload_enc from change_request")]
        numbers = [r[0] for r in conn.execute("select account_no_enc from account")]
        numbers += [r[0] for r in conn.execute("select contract_no_enc from loan_contract")]
    assert tokens and all(t.startswith("v2.") for t in tokens)
    assert numbers and all(t.startswith("v2.") for t in numbers)
    assert (
        f"Re-encrypted {len(tokens) + _persons(db_file)} customer values and {len(numbers)} account and contract "
        "numbers under key version 2."
    ) in " ".join(rotated.output.split())
    assert "Re-encrypted 0 customer values and 0 account" in runner.invoke(app, ["keys", "rotate"]).output


def _persons(db_file) -> int:  # type: ignore[no-untyped-def]
    with sqlite3.connect(db_file) as conn:
        return int(conn.execute("select count(*) from contact_person where phone_enc is not null").fetchone()[0])


def test_users_create_refuses_a_weak_password_and_accepts_a_strong_one(db_file):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    weak = runner.invoke(
        app,
        [
            "users",
            "create",
            "--username",
            "chief",
            "--display-name",
            "Chief",
            "--role",
            "admin",
            "--password",
            "demo1234",
        ],
    )
    assert weak.exit_code == 1
    assert "Password must be at least 12 characters long." in weak.output
    strong = runner.invoke(
        app,
        ["users", "create", "--username", "chief", "--display-name", "Chief", "--role", "admin"],
        input="Str0ng-Passw0rd!\nStr0ng-Passw0rd!\n",
    )
    assert strong.exit_code == 0, strong.output
    assert "Created user chief" in strong.output


def test_users_create_names_an_unknown_unit(db_file):
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(
        app,
        [
            "users",
            "create",
            "--username",
            "x1",
            "--display-name",
            "X",
            "--unit",
            "MARS",
            "--role",
            "teller",
            "--password",
            "Str0ng-Passw0rd!",
        ],
    )
    assert result.exit_code == 1
    assert "Unknown org unit code: MARS" in result.output


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        (
            "UPDATE audit_event SET actor_username = 'mallory' WHERE seq = 5",
            "Audit chain broken at row 5: row 5 content does not match its hash",
        ),
        (
            "DELETE FROM audit_event WHERE seq = 7",
            "Audit chain broken at row 7: row 7 is missing (next row present is 8)",
        ),
    ],
)
def test_audit_verify_exits_non_zero_naming_the_broken_row(demo_file, tamper, expected):
    with sqlite3.connect(demo_file) as conn:
        conn.execute("DROP TRIGGER audit_event_no_update")
        conn.execute("DROP TRIGGER audit_event_no_delete")
        conn.execute(tamper)
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert expected in " ".join(result.output.split())


def test_production_mode_with_default_secret_is_refused(db_file, monkeypatch):
    monkeypatch.setenv("BANKCRM_MODE", "production")
    get_settings.cache_clear()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "BANKCRM_SECRET_KEY" in result.output


def test_currencies_are_switched_on_and_off_from_the_command_line(db_file):
    # Given an upgraded database with the six default currencies active
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    # When CZK and BHD are activated and GBP deactivated
    on = runner.invoke(app, ["currencies", "activate", "czk", "BHD"])
    off = runner.invoke(app, ["currencies", "deactivate", "GBP"])
    unknown = runner.invoke(app, ["currencies", "activate", "XYZ"])
    # Then each says what changed, an unknown code fails, and the active list is exact
    assert (on.exit_code, off.exit_code, unknown.exit_code) == (0, 0, 1)
    assert "Now active: BHD, CZK." in on.output and "Now inactive: GBP." in off.output
    assert "Not an ISO 4217 currency code on file: XYZ." in unknown.output
    with sqlite3.connect(db_file) as conn:
        active = [r[0] for r in conn.execute("select code from currency where active order by sort_order")]
    assert active == ["CNY", "USD", "EUR", "HKD", "JPY", "BHD", "CZK"]
    listed = runner.invoke(app, ["currencies", "list"])
    assert listed.exit_code == 0 and "捷克克朗" in listed.output and "英镑" not in listed.output
