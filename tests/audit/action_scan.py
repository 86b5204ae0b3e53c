"""The audit actions the code records, read from the source (so a new action without a sentence fails a test)."""

from __future__ import annotations

import ast
from pathlib import Path

import bankcrm

ROOT = Path(bankcrm.__file__).parent


def _strings(node: ast.AST) -> set[str]:
    """Constant strings an expression may evaluate to (a constant, or either branch of a conditional)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def recorded_actions() -> set[str]:
    """Every action passed to ``record(db, actor, action)``, as ``action=``/``audit_event=``, or as an audit dict's."""
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name == "record" and len(node.args) >= 3:
                    found |= _strings(node.args[2])
                for kw in node.keywords:
                    if kw.arg in ("action", "audit_event"):
                        found |= _strings(kw.value)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "action" and value is not None:
                        found |= _strings(value)
            elif isinstance(node, ast.FunctionDef):
                positional = node.args.args[len(node.args.args) - len(node.args.defaults) :]
                pairs = [*zip(positional, node.args.defaults, strict=True)]
                pairs += [(a, d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True) if d]
                found |= {s for arg, default in pairs if arg.arg == "action" for s in _strings(default)}
    return found
