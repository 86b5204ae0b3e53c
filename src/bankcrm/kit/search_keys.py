"""Index keys that turn substring and pinyin search into prefix look-ups on an ordinary B-tree.

A name is found by any substring, so every suffix of the name is a key (a substring is a prefix
of some suffix). Pinyin is typed from a syllable boundary ("zhangsan", "san"), so the suffixes
that start at a syllable are keys; initials ("zs") are typed from the start, so they are one key.
Both databases answer ``key >= q AND key < q || U+10FFFF`` from the index, with no table scan.
"""

from __future__ import annotations

from bankcrm.kit.pinyin import pinyin_initials, pinyin_syllables

MAX_KEY = 40  # longer suffixes add nothing a user types
MAX_SUFFIXES = 40  # a 60-character company name still yields a bounded number of keys
UPPER = "\U0010ffff"


def fold(text: str) -> str:
    """The form both keys and queries take: lower case, no white space."""
    return "".join(text.lower().split())


def keys_for(name: str, name_en: str | None = None) -> set[str]:
    """Every key under which a customer with this name should be found."""
    keys: set[str] = set()
    folded = fold(name)
    keys.update(folded[i : i + MAX_KEY] for i in range(min(len(folded), MAX_SUFFIXES)))
    syllables = pinyin_syllables(name)
    keys.update("".join(syllables[i:])[:MAX_KEY] for i in range(min(len(syllables), MAX_SUFFIXES)))
    keys.add(pinyin_initials(name)[:MAX_KEY])
    if name_en:
        words = [fold(w) for w in name_en.split() if fold(w)]
        keys.update("".join(words[i:])[:MAX_KEY] for i in range(min(len(words), MAX_SUFFIXES)))
    keys.discard("")
    return keys


def prefix_range(query: str) -> tuple[str, str]:
    """The [low, high) key range holding every key that starts with the folded query."""
    low = fold(query)[:MAX_KEY]
    return low, low + UPPER
