"""Find where each package writes a table: model constructors and insert/update/delete calls, by static reading."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from bankcrm.models.base import Base

# Packages that write every table by design: the schema itself and the demo bank's builder.
EXEMPT = {"models", "demo", "migrate"}
ASSOCIATION_TABLES = {"role_permission", "user_role"}


def _mapped_classes() -> dict[str, str]:
    import bankcrm.models  # noqa: F401 - loads every mapper

    return {m.class_.__name__: m.class_.__tablename__ for m in Base.registry.mappers}


def _model_names(tree: ast.Module, classes: dict[str, str]) -> dict[str, str]:
    """Local name → table for names imported from bankcrm.models and module-level ``X = Model.__table__``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bankcrm.models"):
            for alias in node.names:
                if alias.name in classes:
                    names[alias.asname or alias.name] = classes[alias.name]
                elif alias.name in ASSOCIATION_TABLES:
                    names[alias.asname or alias.name] = alias.name
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            for sub in ast.walk(node.value):
                if (
                    isinstance(sub, ast.Attribute)
                    and sub.attr == "__table__"
                    and isinstance(sub.value, ast.Name)
                    and sub.value.id in names
                    and isinstance(target, ast.Name)
                ):
                    names[target.id] = names[sub.value.id]
    return names


def _table_of(expr: ast.expr, names: dict[str, str]) -> str | None:
    if isinstance(expr, ast.Attribute) and expr.attr == "__table__":
        expr = expr.value
    return names.get(expr.id) if isinstance(expr, ast.Name) else None


def writes(src: Path) -> dict[tuple[str, str], list[str]]:
    """(package, table) → the ``file:line`` sites where that package writes that table."""
    classes = _mapped_classes()
    tables = set(classes.values())
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    root = src / "bankcrm"
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        package = parts[0] if len(parts) > 1 else path.stem
        if package in EXEMPT:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _model_names(tree, classes)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            site = f"{path.relative_to(src)}:{node.lineno}"
            if isinstance(func, ast.Name) and names.get(func.id) in tables:
                found[(package, names[func.id])].append(site)  # Model(...): a new row
            if any(verb in called.lower() for verb in ("insert", "update", "delete")):
                for arg in node.args[:2]:
                    table = _table_of(arg, names)
                    if table:
                        found[(package, table)].append(site)
    return dict(found)
