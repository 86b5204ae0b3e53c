"""Pinyin of personal names, for search by "zhangsan" or "zs"."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# pypinyin has no surname mode (python-pinyin issues #120 and #297 are still open), and its
# everyday reading of these characters differs from their reading as a family name.
# Applied to the start of a name only: 单 in a given name is "dan", 曾 in a given name may be "ceng".
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "查": ("zha",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "区": ("ou",),
    "乐": ("yue",),
    "覃": ("qin",),
    "盖": ("ge",),
    "缪": ("miao",),
    "翟": ("zhai",),
}
_LONGEST_SURNAME = max(len(surname) for surname in SURNAME_READINGS)


def _surname_split(name: str) -> tuple[tuple[str, ...], str]:
    """The surname's readings when it is a known heteronym, and the rest of the name."""
    for length in range(_LONGEST_SURNAME, 0, -1):
        readings = SURNAME_READINGS.get(name[:length])
        if readings is not None:
            return readings, name[length:]
    return (), name


def _ascii_lower(text: str) -> str:
    # NFKD turns full-width letters into ASCII ones and splits accents off so "é" counts as "e".
    return "".join(c for c in unicodedata.normalize("NFKD", text).lower() if "a" <= c <= "z")


def pinyin_full(name: str) -> str:
    """Toneless lower-case pinyin without spaces ("张三" → "zhangsan"); Latin letters kept, the rest dropped."""
    return "".join(pinyin_syllables(name))


def pinyin_initials(name: str) -> str:
    """First letter of each syllable ("张三" → "zs"); a Latin word gives its first letter."""
    return "".join(syllable[0] for syllable in pinyin_syllables(name))


_CHAR_SYLLABLES: dict[str, tuple[str, ...]] = {}  # a character of ``pinyin_plain.ONE_READING`` → its syllables


def _char_syllables(char: str) -> tuple[str, ...]:
    found = _CHAR_SYLLABLES.get(char)
    if found is None:
        found = _CHAR_SYLLABLES[char] = _converted(char)
    return found


def _converted(text: str) -> tuple[str, ...]:
    """pypinyin's toneless reading of ``text`` (phrases segmented), as syllables."""
    from pypinyin import Style, lazy_pinyin

    out: list[str] = []
    for part in lazy_pinyin(text, style=Style.NORMAL):
        # pypinyin returns a run of non-Chinese text as one item: each of its words counts as a syllable.
        out.extend(word for word in (_ascii_lower(w) for w in part.split()) if word)
    return tuple(out)


@lru_cache(maxsize=65_536)
def _syllables(name: str) -> tuple[str, ...]:
    # pypinyin is imported on first use: its dictionaries take half a second to load, and most commands never need
    # them (the fork server of the load's workers preloads it).
    surname, rest = _surname_split(name.strip())
    # The rest is converted on its own so pypinyin cannot read surname + given name as one phrase. Most names
    # have no character read differently in some phrase: they are read a character at a time (a third of a new
    # customer's rows went to pypinyin's segmentation), with the same result.
    from bankcrm.kit.pinyin_plain import ONE_READING

    if all(c in ONE_READING for c in rest):
        return (*surname, *(s for c in rest for s in _char_syllables(c)))
    return (*surname, *_converted(rest))


def pinyin_syllables(name: str) -> list[str]:
    """Toneless syllables in order ("张三" → ["zhang", "san"]); a Latin word counts as one syllable."""
    return list(_syllables(name))
