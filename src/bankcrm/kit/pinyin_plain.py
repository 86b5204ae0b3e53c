"""The Chinese characters pypinyin reads the same toneless way wherever they stand, built at import.

Without heteronyms pypinyin reads a phrase of its phrase dictionary by that entry and any other character by
the first reading its character dictionary gives. A character qualifies when its reading in every phrase that
holds it loses its tone to the same syllable as that first reading: then a name made of such characters reads
character by character exactly as pypinyin's phrase segmentation reads it, however it is segmented
(kit/pinyin.py). Built from the installed pypinyin's own dictionaries (an upgrade cannot make it stale) in about
half a second, in a module of its own so that the load's fork server builds it once for all its workers.
"""

from __future__ import annotations

from pypinyin import Style
from pypinyin.constants import PHRASES_DICT, PINYIN_DICT, RE_HANS
from pypinyin.style import convert


def _build() -> dict[str, str]:
    toneless: dict[str, str] = {}

    def plain(reading: str) -> str:
        found = toneless.get(reading)
        if found is None:
            found = toneless[reading] = convert(reading, Style.NORMAL, True, default=reading)
        return found

    # outside a phrase pypinyin (without heteronyms) reads a character by its first reading
    single = {chr(code): plain(readings.split(",")[0]) for code, readings in PINYIN_DICT.items()}
    single = {c: r for c, r in single.items() if RE_HANS.match(c)}
    differs: set[str] = set()
    for phrase, phrase_readings in PHRASES_DICT.items():
        for char, reading in zip(phrase, phrase_readings, strict=False):
            if char in single and plain(reading[0]) != single[char]:
                differs.add(char)
    return {c: r for c, r in single.items() if c not in differs}


# character → its one toneless reading (as pypinyin's style conversion gives it, before our own clean-up)
ONE_READING: dict[str, str] = _build()
