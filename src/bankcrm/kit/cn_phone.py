"""The mainland's commonest phone shapes checked as phonenumbers checks them, without its parse (~150 µs a number).

A bare 11-digit mobile ("13812345678") or a landline with its trunk 0 ("0755-51234567") is its own national
number once the 0 is dropped (no carrier code, no extension), so phonenumbers' verdict is its type tests over
that national number: the same tests, in the same order (``phonenumberutil._number_type_helper``), with the
same patterns from its own metadata, precompiled here. tests/kit/test_cn_phone.py compares both on every prefix.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import phonenumbers
from phonenumbers import PhoneNumberType

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0(\d{2,3})-?(\d{7,8})")
# phonenumbers' order: the first description a national number matches is its type.
_SPECIAL = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
_Desc = tuple[frozenset[int], re.Pattern[str]] | None


def _compiled(desc: Any) -> _Desc:
    if desc is None or desc.national_number_pattern is None:
        return None
    return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)


@lru_cache(maxsize=1)
def _metadata() -> tuple[_Desc, list[tuple[_Desc, int]], _Desc, _Desc, bool]:
    md = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert md is not None
    special = [(_compiled(getattr(md, name)), kind) for name, kind in _SPECIAL]
    same = bool(md.same_mobile_and_fixed_line_pattern)
    return _compiled(md.general_desc), special, _compiled(md.fixed_line), _compiled(md.mobile), same


def _matches(desc: _Desc, national: str) -> bool:
    # as phonenumberutil._is_number_matching_desc: the possible lengths first, then the whole pattern
    if desc is None:
        return False
    lengths, pattern = desc
    return (not lengths or len(national) in lengths) and pattern.fullmatch(national) is not None


def number_type(national: str) -> int:
    """The type phonenumbers gives a mainland national significant number (UNKNOWN: not valid)."""
    general, special, fixed, mobile, same = _metadata()
    if not _matches(general, national):
        return PhoneNumberType.UNKNOWN
    for desc, kind in special:
        if _matches(desc, national):
            return kind
    if _matches(fixed, national):
        if same or _matches(mobile, national):
            return PhoneNumberType.FIXED_LINE_OR_MOBILE
        return PhoneNumberType.FIXED_LINE
    if not same and _matches(mobile, national):
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN


def national(value: str) -> str | None:
    """The national significant number of a bare mobile or a 0-prefixed landline; None for any other shape."""
    if _MOBILE.fullmatch(value):
        return value
    landline = _LANDLINE.fullmatch(value)
    return landline.group(1) + landline.group(2) if landline else None
