"""The import contracts catch each kind of violation in a domain package that did not exist when they were written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

LAYERS = (
    "Inside each domain: api/views/jobs -> deps/forms -> service -> repository -> checks"
    " -> data (schemas, scope, filters, formats, reader, seen, catalogue, fields, sentences) -> principal -> module"
)
CORE = "Core (models, kit, db, config, errors) knows no domain, web or CLI"
NO_HTTP = "Below api/views nothing knows HTTP: no FastAPI, Starlette, web or app"
NO_QUERIES = "Routes run no queries: api and views import no SQLAlchemy, models or repository"
OTHER_REPOSITORY = "Other domains are reached through their service, never their repository"
CONTRACTS = {LAYERS, CORE, NO_HTTP, NO_QUERIES, OTHER_REPOSITORY}

# Each planted package is new: no contract names it. (contract, module, its source, the line lint-imports reports)
PLANTED = [
    (
        OTHER_REPOSITORY,
        "bankcrm.planted_a.service",
        "from bankcrm.customers import repository as customer_repository\n",
        "bankcrm.planted_a.service -> bankcrm.customers.repository (l.1)",
    ),
    (
        NO_QUERIES,
        "bankcrm.planted_b.views",
        "from sqlalchemy import select\n",
        "bankcrm.planted_b.views -> sqlalchemy (l.1)",
    ),
    (
        NO_QUERIES,
        "bankcrm.planted_b.api",
        "from bankcrm.models.customer import Customer\n",
        "bankcrm.planted_b.api -> bankcrm.models.customer (l.1)",
    ),
    (
        NO_HTTP,
        "bankcrm.planted_c.service",
        "from fastapi import HTTPException\n",
        "bankcrm.planted_c.service -> fastapi (l.1)",
    ),
    (
        LAYERS,
        "bankcrm.planted_d.repository",
        "from bankcrm.planted_d import views\n",
        "bankcrm.planted_d.repository -> bankcrm.planted_d.views (l.1)",
    ),
    (
        CORE,
        "bankcrm.models.planted",
        "from bankcrm.planted_e import service\n",
        "bankcrm.models.planted -> bankcrm.planted_e.service (l.1)",
    ),
]
# Harmless modules the planted imports point at.
TARGETS = ["bankcrm.planted_d.views", "bankcrm.planted_e.service"]


def _write_module(src: Path, dotted: str, text: str) -> None:
    """Write ``dotted`` under ``src``, creating its packages."""
    *packages, name = dotted.split(".")
    folder = src.joinpath(*packages)
    folder.mkdir(parents=True, exist_ok=True)
    for depth in range(1, len(packages) + 1):
        src.joinpath(*packages[:depth], "__init__.py").touch()
    (folder / f"{name}.py").write_text(text, encoding="utf-8")


def _lint(copy: Path) -> subprocess.CompletedProcess[str]:
    """Run lint-imports on the copy, with the copy's own source and configuration."""
    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "COLUMNS": "500", "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(copy / "pyproject.toml"), "--no-cache"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _broken_sections(output: str) -> dict[str, str]:
    """Broken contract name → the text lint-imports prints under it."""
    _, _, broken = output.partition("Broken contracts")
    sections: dict[str, str] = {}
    current = None
    for line in broken.splitlines():
        if line in CONTRACTS:
            current = line
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The source tree (Python files only) and pyproject.toml, copied."""
    root = tmp_path
    shutil.copytree(
        ROOT / "src" / "bankcrm",
        root / "src" / "bankcrm",
        ignore=shutil.ignore_patterns("__pycache__", "locale", "reference_data", "static", "templates"),
    )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_clean_copy_keeps_every_contract(copy: Path) -> None:
    # given the source as committed
    # when the contracts are checked
    result = _lint(copy)
    # then all are kept
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken." in result.stdout


def test_each_violation_planted_in_a_new_package_breaks_its_contract(copy: Path) -> None:
    # given new packages that no contract names, each with one forbidden import
    src = copy / "src"
    for target in TARGETS:
        _write_module(src, target, '"""A harmless module a planted import points at."""\n')
    for _, module, text, _ in PLANTED:
        _write_module(src, module, text)
    # when the contracts are checked
    result = _lint(copy)
    # then exactly the named contracts break, each naming its planted import
    assert result.returncode == 1, result.stdout + result.stderr
    sections = _broken_sections(result.stdout)
    assert sorted(sections) == sorted({contract for contract, *_ in PLANTED}), result.stdout
    for contract, _, _, reported in PLANTED:
        assert reported in sections[contract], f"{contract}:\n{sections[contract]}"
    assert "Contracts: 1 kept, 5 broken." in result.stdout
