"""Keep the gettext catalogs in step with the code: extract, update, fill English, check.

Usage: python scripts/i18n.py update | check
"""

from __future__ import annotations

import csv
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "bankcrm" / "locale"


def extract(pot: Path, locations: bool = False) -> None:
    """Run Babel's extractor over Python code and Jinja templates (pgettext gives a msgid a context)."""
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            *([] if locations else ["--no-location"]),
            "--sort-output",
            "--project",
            "bankcrm",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )


def update() -> None:
    """Merge new msgids into both catalogs and make English complete (msgstr = msgid)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        CommandLineInterface().run(
            [
                "pybabel",
                "--quiet",
                "update",
                "-i",
                str(pot),
                "-d",
                str(LOCALE_DIR),
                "-D",
                "messages",
                "--no-fuzzy-matching",
                "--ignore-obsolete",
            ]
        )
    en = LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"
    with en.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
    with en.open("wb") as fh:
        write_po(fh, catalog, sort_output=True, omit_header=False, width=120)


def _key(message: Message) -> str:
    """A message's identity: its context (if any) and its singular msgid."""
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return f"{message.context}\x04{msgid}" if message.context else msgid


def missing() -> dict[str, list[str]]:
    """Msgids in the code that a catalog lacks or leaves untranslated or fuzzy."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        with pot.open("rb") as fh:
            wanted = {_key(m) for m in read_po(fh) if m.id}
    gaps: dict[str, list[str]] = {}
    for locale in ("en", "zh_CN"):
        with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        done = set()
        for m in catalog:
            if not m.id or m.fuzzy:
                continue
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            if all(strings):
                done.add(_key(m))
        gaps[locale] = sorted(wanted - done)
    return gaps


SHARED_LABELS = LOCALE_DIR / "shared_labels.csv"


def module_of(path: str) -> str:
    """The module a source location belongs to: a domain package, or its templates' folder ("shell" for base)."""
    where = Path(path)
    parts = (where.relative_to(ROOT) if where.is_absolute() else where).parts
    if "templates" in parts:
        i = parts.index("templates")
        return parts[i + 1] if len(parts) > i + 2 else "shell"
    if parts[:2] == ("src", "bankcrm") and len(parts) > 2:
        return parts[2].removesuffix(".py")
    return parts[0]


def is_label(msgid: str) -> bool:
    """A short label ("Home", "Status"), where one English word may carry two meanings; sentences are specific."""
    return not msgid.rstrip().endswith((".", "?", "!", "。")) and "%(" not in msgid


def shared_labels(catalog: Catalog) -> dict[str, list[str]]:
    """Labels without a context used by two or more modules → those modules."""
    shared: dict[str, list[str]] = {}
    for message in catalog:
        if not message.id or message.context or not isinstance(message.id, str) or not is_label(message.id):
            continue
        modules = sorted({module_of(path) for path, _ in message.locations})
        if len(modules) > 1:
            shared[message.id] = modules
    return shared


def unreviewed_shared_labels() -> dict[str, list[str]]:
    """Shared labels missing from locale/shared_labels.csv (one meaning everywhere), stale or retranslated entries.

    A label in the file has been read and means the same in every module; anything else needs
    ``pgettext(context, label)`` in one of its places so it can be translated apart.
    """
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot, locations=True)
        with pot.open("rb") as fh:
            shared = shared_labels(read_po(fh))
    with SHARED_LABELS.open(encoding="utf-8", newline="") as fh:
        reviewed = {row["msgid"]: row["label_zh"] for row in csv.DictReader(fh)}
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        zh = read_po(fh, locale="zh_CN")
    return {
        "unreviewed": [f"{msgid!r} in {', '.join(shared[msgid])}" for msgid in sorted(shared.keys() - reviewed)],
        "no longer shared": sorted(reviewed.keys() - shared.keys()),
        "translated otherwise in the catalog": [
            f"{msgid!r}: {label} here, {message.string if message else None} there"
            for msgid, label in sorted(reviewed.items())
            if (message := zh.get(msgid)) is None or message.string != label
        ],
    }


def main() -> int:
    """Command-line entry."""
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    gaps = missing()
    for locale, ids in gaps.items():
        for msgid in ids:
            print(f"{locale}: missing translation: {msgid!r}")
    labels = unreviewed_shared_labels()
    for problem, items in labels.items():
        for item in items:
            print(f"shared label, {problem}: {item} (see {SHARED_LABELS.name})")
    return 1 if any(gaps.values()) or any(labels.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
