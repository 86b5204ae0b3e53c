"""Every package is a registered module or named infrastructure, and every file of a module sits in a layer."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from bankcrm.modules import MODULES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "bankcrm"
# Organised by command, builder or helper rather than by layer; the other contracts still bind them.
INFRASTRUCTURE = {"cli", "demo", "kit", "models", "web"}


def layer_names() -> set[str]:
    """The file names the layers contract places (``"(api) | (views)"`` gives api and views)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    return {name for layer in contract["layers"] for name in re.findall(r"\((\w+)\)", layer)}


def packages(root: Path) -> set[str]:
    """The Python packages directly under ``root``."""
    return {p.name for p in root.iterdir() if (p / "__init__.py").is_file()}


def unplaced(module_dir: Path, layers: set[str]) -> list[str]:
    """The files and sub-packages of a module that no layer names (the contract would not check them)."""
    children = {p.stem for p in module_dir.glob("*.py")} | packages(module_dir)
    return sorted(children - layers - {"__init__"})


def test_every_package_is_a_registered_module_or_infrastructure() -> None:
    # given the packages under bankcrm and the registry
    registered = {m.name for m in MODULES}
    # then each package is exactly one of the two
    assert sorted(packages(PACKAGE) - INFRASTRUCTURE - registered) == []
    assert sorted(registered - packages(PACKAGE)) == []


def test_every_file_of_every_module_sits_in_a_layer() -> None:
    # given the layers contract
    layers = layer_names()
    # then no module has a file outside it
    assert {m.name: unplaced(PACKAGE / m.name, layers) for m in MODULES if unplaced(PACKAGE / m.name, layers)} == {}


def test_a_file_in_no_layer_is_found(tmp_path: Path) -> None:
    # given a module with its layers and one helper file in none of them
    for name in ("__init__", "api", "service", "helpers"):
        (tmp_path / f"{name}.py").write_text('"""x"""\n', encoding="utf-8")
    (tmp_path / "repository").mkdir()
    (tmp_path / "repository" / "__init__.py").write_text("", encoding="utf-8")
    # when it is checked
    # then only the helper file is named
    assert unplaced(tmp_path, layer_names()) == ["helpers"]
