"""Gettext catalogs (en, zh_CN) loaded from the .po files with Babel, and locale choice."""

from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = ("en", "zh_CN")
LOCALE_LABELS = {"en": "English", "zh_CN": "中文"}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where the locale is known."""
    return message


def po_path(locale: str) -> Path:
    """Path of a locale's catalog source."""
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> gettext.NullTranslations:
    """Compile a locale's .po in memory (no build step can leave a stale .mo behind)."""
    if locale not in LOCALES:
        locale = LOCALES[0]
    with po_path(locale).open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Bilingual:
    """A message parameter worded in each language (a state's label from a code table); English where no reader is."""

    __slots__ = ("en", "zh")

    def __init__(self, en: str, zh: str) -> None:
        self.en = en
        self.zh = zh

    def __str__(self) -> str:
        return self.en

    def __repr__(self) -> str:
        return f"Bilingual({self.en!r}, {self.zh!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Bilingual) and (self.en, self.zh) == (other.en, other.zh)

    def __hash__(self) -> int:
        return hash((self.en, self.zh))

    def in_locale(self, locale: str) -> str:
        """The wording for a reader of ``locale``."""
        return self.zh if locale == "zh_CN" else self.en


class Msgid(Bilingual):
    """A message parameter that is itself a message id (N_), translated for the reader."""

    def __init__(self, msgid: str) -> None:
        super().__init__(msgid, msgid)

    def in_locale(self, locale: str) -> str:
        return translations(locale).gettext(self.en)


def gettext_for(locale: str, message: str, params: dict[str, object] | None = None) -> str:
    """Translate one msgid and apply %-style parameters (a Bilingual one in the reader's language)."""
    text = translations(locale).gettext(message)
    if not params:
        return text
    return text % {k: v.in_locale(locale) if isinstance(v, Bilingual) else v for k, v in params.items()}


def negotiate(accept_language: str | None, default: str) -> str:
    """Pick en or zh_CN from an Accept-Language header."""
    if not accept_language:
        return default
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower().replace("-", "_")
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return default


def normalise_locale(value: str | None) -> str | None:
    """Accept 'zh', 'zh-CN', 'zh_CN', 'en', 'en-US'; anything else is None."""
    if not value:
        return None
    tag = value.strip().lower().replace("-", "_")
    if tag.startswith("zh"):
        return "zh_CN"
    if tag.startswith("en"):
        return "en"
    return None


class Labelled(Protocol):
    """A row with a label in each language (code tables, roles, permissions, products)."""

    @property
    def label_en(self) -> str: ...

    @property
    def label_zh(self) -> str: ...


def label(row: Labelled, locale: str) -> str:
    """The row's label in the reader's language: Simplified Chinese for zh_CN, else English."""
    return row.label_zh if locale == "zh_CN" else row.label_en
