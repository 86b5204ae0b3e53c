"""Server-side masking of C2 personal data for display: the full value never reaches the page."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

# Compound (two-character) surnames: the whole surname is kept visible, as for single ones.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
        "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门",
        "万俟", "澹台", "公冶", "太史", "申屠", "赫连", "闻人", "濮阳", "呼延", "拓跋",
    }
)  # fmt: skip
_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


def _stars(n: int) -> str:
    return "*" * n


def mask_id_number(value: str | None) -> str:
    """First 3 and last 4 characters kept, the rest starred; 7 characters or fewer are all starred."""
    if not value:
        return ""
    if len(value) <= 7:
        # Keeping 3 + 4 characters of so short a value would show all of it.
        return _stars(len(value))
    return value[:3] + _stars(len(value) - 7) + value[-4:]


def mask_phone(e164: str | None) -> str:
    """A +86 mobile as "138****5678"; other numbers as "+852 ****4567"."""
    if not e164:
        return ""
    if _CN_MOBILE.fullmatch(e164):  # the common case, without the cost of a full parse
        return e164[3:6] + "****" + e164[-4:]
    if _CN_OTHER.fullmatch(e164):  # a mainland number not starting with 1 is never a mobile, parse keeps it whole
        return "+86 " + mask_account_number(e164[3:])
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        # Not E.164 (legacy data): show only the last 4 characters rather than fail the page.
        return mask_account_number(e164)
    national = phonenumbers.national_significant_number(number)
    if number.country_code == 86 and len(national) == 11 and phonenumbers.number_type(number) in _MOBILE_TYPES:
        return national[:3] + "****" + national[-4:]
    return f"+{number.country_code} " + mask_account_number(national)


_CN_MOBILE = re.compile(r"\+861[3-9][0-9]{9}")
_CN_OTHER = re.compile(r"\+86[2-9][0-9]{6,10}")


def _is_han(char: str) -> bool:
    return unicodedata.name(char, "").startswith("CJK ")


def _without_format_characters(text: str) -> str:
    # Zero-width spaces, joiners, BOMs, soft hyphens (category Cf) are invisible on the page: left in,
    # one in front of a name would make it look like a name of another script and skip the mask.
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


def mask_person_name(name: str | None) -> str:
    """Family name of a Chinese name kept ("张三" → "张*", "欧阳娜娜" → "欧阳**"); any other script
    keeps only its first letter ("John Smith" → "J*** *****", "Müller" → "M*****"). Never the whole name."""
    if not name:
        return ""
    name = _without_format_characters(name).strip()
    if len(name) <= 1:
        return _stars(len(name))
    if _is_han(name[0]):
        kept = 2 if name[:2] in COMPOUND_SURNAMES else 1
        kept = min(kept, len(name) - 1)  # a compound surname alone would otherwise be shown whole
        return name[:kept] + _stars(len(name) - kept)
    # Latin letters do not say which word is the family name ("Zhang San", "John Smith"), so only the
    # first letter is kept; spaces keep the shape of the words.
    return name[0] + "".join(c if c.isspace() else "*" for c in name[1:])


def mask_account_number(value: str | None) -> str:
    """Last 4 characters kept, the rest starred; 4 characters or fewer are all starred."""
    if not value:
        return ""
    if len(value) <= 4:
        # Keeping the last 4 of so short a value would show all of it.
        return _stars(len(value))
    return _stars(len(value) - 4) + value[-4:]


def mask_email(value: str | None) -> str:
    """First character of the local part, "***", then the domain: "z***@example.com"."""
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at:
        return value[:1] + "***"
    return local[:1] + "***@" + domain


def mask_text(value: str | None) -> str:
    """Free C2 text such as an address: the first 6 characters, then "****"."""
    if not value:
        return ""
    value = value.strip()
    # A text of 6 characters or fewer would otherwise be shown whole; keep only its first half.
    kept = 6 if len(value) > 6 else len(value) // 2
    return value[:kept] + "****"
