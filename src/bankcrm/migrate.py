"""Run Alembic migrations programmatically (CLI, demo, tests)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, insert, select, update

from bankcrm.config import get_settings
from bankcrm.db import make_engine, normalise_url
from bankcrm.kit.time import utcnow
from bankcrm.models.access import Permission, Role, role_permission
from bankcrm.models.customer import CodeItem
from bankcrm.models.holding import Currency, Product
from bankcrm.models.matching import SourceSystem, SurvivorshipRule
from bankcrm.models.tag import Tag
from bankcrm.models.workflow import WorkflowState, WorkflowTransition
from bankcrm.modules import permissions
from bankcrm.tags import filters as tag_rules
from bankcrm.workflow import catalogue as workflow_catalogue


def migrations_dir() -> Path:
    """Migrations ship inside the wheel; in a source checkout they sit at the repo root."""
    packaged = Path(__file__).resolve().parent / "migrations"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our scripts, for a URL or an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if url:
        cfg.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade(url: str | None = None, connection: Connection | None = None, revision: str = "head") -> None:
    """Bring the schema up to ``revision``, then bring the code tables in line with the shipped CSVs."""
    command.upgrade(alembic_config(url, connection), revision)
    if revision != "head":
        return
    if connection is not None:
        sync_all(connection)
        return
    engine = make_engine(url or get_settings().database_url)
    try:
        with engine.begin() as conn:
            sync_all(conn)
    finally:
        engine.dispose()


def sync_all(conn: Connection) -> None:
    """Bring the data the code ships (code tables, catalogues, the modules' permissions) in line with it."""
    sync_reference_data(conn)
    sync_products(conn)
    sync_currencies(conn)
    sync_permissions(conn)
    sync_workflows(conn)
    sync_sources(conn)
    sync_tags(conn)


def sync_permissions(conn: Connection) -> int:
    """Insert the registry's new permissions (granted to their default roles) and update changed labels.

    A permission already in the database keeps the grants the bank has made since: only a new code is
    granted to its ``default_roles``. Codes are never deleted, so a removed module's grants stay auditable.
    """
    table: Any = Permission.__table__
    grants = role_permission
    existing = {row.code: row for row in conn.execute(select(table))}
    role_ids = {row.code: row.id for row in conn.execute(select(Role.__table__.c.code, Role.__table__.c.id))}
    changed = 0
    for p in permissions():
        old = existing.get(p.code)
        if old is None:
            unknown = sorted(set(p.default_roles) - role_ids.keys())
            if unknown:
                raise ValueError(f"permission {p.code}: no role {', '.join(unknown)}")
            conn.execute(insert(table).values(code=p.code, label_en=p.label_en, label_zh=p.label_zh))
            for role in p.default_roles:
                conn.execute(insert(grants).values(role_id=role_ids[role], permission_code=p.code))
            changed += 1
        elif (old.label_en, old.label_zh) != (p.label_en, p.label_zh):
            conn.execute(update(table).where(table.c.code == p.code).values(label_en=p.label_en, label_zh=p.label_zh))
            changed += 1
    return changed


def reference_files() -> list[Path]:
    """The shipped code tables: one CSV per category (code, parent_code, label_en, label_zh, sort_order)."""
    return sorted((Path(__file__).resolve().parent / "reference_data").glob("*.csv"))


def sync_reference_data(conn: Connection) -> int:
    """Insert new codes and update changed labels; codes are never deleted (old records still use them)."""
    table = CodeItem.__table__
    changed = 0
    for path in reference_files():
        category = path.stem
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [
                {
                    "category": category,
                    "code": r["code"],
                    "parent_code": r["parent_code"] or None,
                    "label_en": r["label_en"],
                    "label_zh": r["label_zh"],
                    "sort_order": int(r["sort_order"]),
                }
                for r in csv.DictReader(fh)
            ]
        existing = {row.code: row for row in conn.execute(select(table).where(table.c.category == category))}
        for row in rows:
            old = existing.get(row["code"])
            if old is None:
                conn.execute(insert(table).values(**row))  # type: ignore[arg-type]
                changed += 1
            elif (old.parent_code, old.label_en, old.label_zh, old.sort_order) != (
                row["parent_code"],
                row["label_en"],
                row["label_zh"],
                row["sort_order"],
            ):
                conn.execute(
                    update(table)  # type: ignore[arg-type]
                    .where(table.c.category == category, table.c.code == row["code"])
                    .values(**row)
                )
                changed += 1
    return changed


def catalogue_file(name: str) -> Path:
    """A shipped catalogue with columns of its own (reference_data/catalogue/NAME.csv)."""
    return Path(__file__).resolve().parent / "reference_data" / "catalogue" / f"{name}.csv"


def sync_products(conn: Connection) -> int:
    """Bring the product catalogue in line with reference_data/catalogue/product.csv (never deleting)."""
    table = Product.__table__
    path = catalogue_file("product")
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [
            {
                "code": r["code"],
                "category": r["category"],
                "label_en": r["label_en"],
                "label_zh": r["label_zh"],
                "currency": r["currency"],
                "term_months": int(r["term_months"]) if r["term_months"] else None,
                "risk_level": r["risk_level"] or None,
                "allows_overdraft": r["allows_overdraft"] == "Y",
                "sort_order": int(r["sort_order"]),
            }
            for r in csv.DictReader(fh)
        ]
    return _upsert_by_code(conn, table, rows)


def sync_currencies(conn: Connection) -> int:
    """Bring the currencies in line with reference_data/catalogue/currency.csv (never deleting).

    ``active`` in the file is only the default of a currency new to the database: afterwards it is the
    bank's choice (``bankcrm currencies activate|deactivate``), which a sync never undoes.
    """
    table = Currency.__table__
    with catalogue_file("currency").open(encoding="utf-8", newline="") as fh:
        rows = [
            {
                "code": r["code"],
                "label_en": r["label_en"],
                "label_zh": r["label_zh"],
                "minor_units": int(r["minor_units"]),
                "active": r["active"] == "Y",
                "sort_order": int(r["sort_order"]),
            }
            for r in csv.DictReader(fh)
        ]
    return _upsert_by_code(conn, table, rows, kept=frozenset({"active"}))


def sync_sources(conn: Connection) -> int:
    """Bring source systems and survivorship rules in line with their catalogues (never deleting).

    A source's ``trusted`` and ``priority`` in the file are only the defaults of a source new to the
    database; a field's rule likewise: afterwards both are the bank's configuration.
    """
    with catalogue_file("source_system").open(encoding="utf-8", newline="") as fh:
        sources = [
            {
                "code": r["code"],
                "label_en": r["label_en"],
                "label_zh": r["label_zh"],
                "trusted": r["trusted"] == "Y",
                "priority": int(r["priority"]),
                "sort_order": int(r["sort_order"]),
            }
            for r in csv.DictReader(fh)
        ]
    changed = _upsert_by_code(conn, SourceSystem.__table__, sources, kept=frozenset({"trusted", "priority"}))
    known = set(conn.execute(select(SurvivorshipRule.field)).scalars())
    with catalogue_file("survivorship_rule").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["field"] not in known:
                conn.execute(insert(SurvivorshipRule).values(field=r["field"], rule=r["rule"]))
                changed += 1
    return changed


def sync_tags(conn: Connection) -> int:
    """Bring the shipped tags in line with reference_data/catalogue/tag.csv (never deleting: history names them).

    ``active`` is the bank's choice once a tag is in the database; a rule that does not validate is refused,
    so a bad catalogue cannot reach the nightly batch.
    """
    rows = []
    with catalogue_file("tag").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["rule"]:
                try:
                    tag_rules.parse_text(r["rule"])
                except tag_rules.RuleError as exc:
                    raise ValueError(f"tag.csv: tag {r['code']}: {exc}") from exc
            rows.append(
                {
                    "code": r["code"],
                    "label_en": r["label_en"],
                    "label_zh": r["label_zh"],
                    "description_en": r["description_en"],
                    "description_zh": r["description_zh"],
                    "kind": r["kind"],
                    "colour": r["colour"],
                    "permission": r["permission"] or None,
                    "rule": r["rule"] or None,
                    "active": True,
                    "shipped": True,
                    "sort_order": int(r["sort_order"]),
                }
            )
    table: Any = Tag.__table__
    existing = {row.code: row._asdict() for row in conn.execute(select(table))}
    changed = 0
    for row in rows:
        old = existing.get(row["code"])
        wanted = {k: v for k, v in row.items() if k != "active"}
        if old is None:
            conn.execute(insert(table).values(**row, updated_at=utcnow()))
        elif {k: old[k] for k in wanted} != wanted:
            conn.execute(update(table).where(table.c.code == row["code"]).values(**wanted, updated_at=utcnow()))
        else:
            continue
        changed += 1
    return changed


def sync_workflows(conn: Connection) -> int:
    """Bring workflow states and transitions in line with the catalogue (never deleting: history names them).

    A transition naming a permission no module declares is refused, so a typo cannot lock a move for everyone.
    """
    shipped = workflow_catalogue.load()
    declared = {p.code for p in permissions()}
    unknown = sorted({t.permission for t in shipped.transitions} - declared)
    if unknown:
        raise ValueError(f"workflow_transition.csv: no module declares permission {', '.join(unknown)}")
    states = [
        {
            "workflow": s.workflow,
            "code": s.code,
            "label_en": s.label_en,
            "label_zh": s.label_zh,
            "sort_order": s.sort_order,
            "initial": s.initial,
        }
        for s in shipped.states
    ]
    transitions = [
        {
            "workflow": t.workflow,
            "from_state": t.from_state,
            "to_state": t.to_state,
            "permission": t.permission,
            "label_en": t.label_en,
            "label_zh": t.label_zh,
        }
        for t in shipped.transitions
    ]
    changed = _upsert_by_key(conn, WorkflowState.__table__, ("workflow", "code"), states)
    return changed + _upsert_by_key(
        conn, WorkflowTransition.__table__, ("workflow", "from_state", "to_state"), transitions
    )


def _upsert_by_key(conn: Connection, table: Any, key: tuple[str, ...], rows: list[dict[str, Any]]) -> int:
    """Insert rows new by ``key`` and update changed ones; returns how many were written."""
    existing = {tuple(row._mapping[k] for k in key): row._asdict() for row in conn.execute(select(table))}
    changed = 0
    for row in rows:
        old = existing.get(tuple(row[k] for k in key))
        if old is None:
            conn.execute(insert(table).values(**row))
        elif old != row:
            conn.execute(update(table).where(*(table.c[k] == row[k] for k in key)).values(**row))
        else:
            continue
        changed += 1
    return changed


def _upsert_by_code(
    conn: Connection, table: Any, rows: list[dict[str, Any]], kept: frozenset[str] = frozenset()
) -> int:
    """Insert new codes and update changed ones, never touching the ``kept`` columns of an existing row."""
    existing = {row.code: row._asdict() for row in conn.execute(select(table))}
    changed = 0
    for row in rows:
        old = existing.get(row["code"])
        wanted = {k: v for k, v in row.items() if k not in kept}
        if old is None:
            conn.execute(insert(table).values(**row))
        elif {k: v for k, v in old.items() if k not in kept} != wanted:
            conn.execute(update(table).where(table.c.code == row["code"]).values(**wanted))
        else:
            continue
        changed += 1
    return changed
