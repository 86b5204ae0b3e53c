"""Every table has one owning module, and a module writes only its own tables or ones it declares."""

from __future__ import annotations

from pathlib import Path

from bankcrm.models.base import Base
from bankcrm.modules import MODULES
from tests.table_writes import writes

SRC = Path(__file__).resolve().parents[1] / "src"


def _owners() -> dict[str, list[str]]:
    owners: dict[str, list[str]] = {}
    for module in MODULES:
        for table in module.tables:
            owners.setdefault(table, []).append(module.name)
    return owners


def test_every_table_has_exactly_one_owning_module() -> None:
    # given the schema and the registry
    tables = set(Base.metadata.tables)
    owners = _owners()
    # then each table is owned once, and no module claims a table that does not exist
    assert {t: o for t, o in owners.items() if len(o) != 1} == {}
    assert sorted(tables - owners.keys()) == []
    assert sorted(owners.keys() - tables) == []


def test_each_module_writes_only_tables_it_owns_or_declares() -> None:
    # given what each module may write
    allowed = {m.name: set(m.tables) | set(m.writes) for m in MODULES}
    # when the source is read for writes
    found = writes(SRC)
    # then every write is allowed (packages that are no module, such as cli and web, write nothing)
    undeclared = {
        f"{package} writes {table}": sites
        for (package, table), sites in found.items()
        if table not in allowed.get(package, set())
    }
    assert undeclared == {}


def test_the_check_sees_a_write_planted_in_another_module(tmp_path: Path) -> None:
    # given a copy of one service file that also writes another module's table
    target = tmp_path / "bankcrm" / "households" / "service" / "planted.py"
    target.parent.mkdir(parents=True)
    target.write_text(
        "from sqlalchemy import update\n"
        "from bankcrm.models.customer import Customer\n"
        "from bankcrm.models.audit import AuditEvent\n\n"
        "def f(db):\n"
        "    db.execute(update(Customer).values(status='X'))\n"
        "    db.add(AuditEvent())\n",
        encoding="utf-8",
    )
    # when it is read
    found = writes(tmp_path)
    # then both writes are found, with their lines
    assert found == {
        ("households", "customer"): ["bankcrm/households/service/planted.py:6"],
        ("households", "audit_event"): ["bankcrm/households/service/planted.py:7"],
    }
