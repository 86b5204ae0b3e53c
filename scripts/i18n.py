"""Keep the gettext catalogs in step with the code: extract, update, fill English, check.

Usage: python scripts/i18n.py update | check
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "bankcrm" / "locale"


def extract(pot: Path) -> None:
    """Run Babel's extractor over Python code and Jinja templates."""
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "--no-location",
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


def missing() -> dict[str, list[str]]:
    """Msgids in the code that a catalog lacks or leaves untranslated or fuzzy."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        with pot.open("rb") as fh:
            wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
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
                done.add(m.id if isinstance(m.id, str) else m.id[0])
        gaps[locale] = sorted(wanted - done)
    return gaps


def main() -> int:
    """Command-line entry."""
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "update":
        update()
    gaps = missing()
    for locale, ids in gaps.items():
        for msgid in ids:
            print(f"{locale}: missing translation: {msgid!r}")
    return 1 if any(gaps.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
