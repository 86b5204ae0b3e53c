"""`bankcrm ingest FILE --type customers --source S` against a committed database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from bankcrm.models.matching import CustomerSource
from tests.holdings.helpers import write_file
from tests.ingest.test_cli_edges import _count, _ingest, cli, cli_url  # noqa: F401 - the CLI fixtures
from tests.matching.helpers import person


def test_a_customers_file_loads_from_the_command_line_and_an_unknown_source_is_refused(
    cli: str,  # noqa: F811 - the fixture
    tmp_path: Path,
) -> None:
    # Given a customers file
    path = write_file(tmp_path / "customers.csv", "customers", [person("CLI-1")])
    # When it is loaded from an unknown source, then it is refused naming the source, and nothing is kept
    refused = _ingest(path, "customers", "NOPE")
    assert refused.exit_code == 1, refused.output
    assert "source" in refused.output and "Unknown source system" in " ".join(refused.output.split())
    assert _count(cli, select(func.count()).select_from(CustomerSource)) == 0
    # When it is loaded from core banking, then its record is kept and linked
    loaded = _ingest(path, "customers", "CORE")
    assert loaded.exit_code == 0, loaded.output
    linked = select(func.count()).select_from(CustomerSource).where(CustomerSource.customer_id.is_not(None))
    assert _count(cli, linked) == 1
