from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from bankcrm.config import Settings
from tests.holdings.helpers import load, reasons, write_file
from tests.matching.helpers import company, customers, person, sources


def test_smoke(db: Session, settings: Settings, tmp_path: Path) -> None:
    path = write_file(tmp_path / "c.csv", "customers", [person("P1"), company("C1")])
    result = load(db, settings, path, "customers", source="CORE")
    assert reasons(result) == []
    assert customers(db)[-2:] == [("individual", "王小明", "ACTIVE"), ("corporate", "北京星河科技有限公司", "ACTIVE")]
    print(sources(db))
