"""The mainland phone fast paths give exactly phonenumbers' verdict, E.164 form and mask."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from bankcrm.kit import cn_phone, masking, validators
from bankcrm.kit.validators import InvalidValue

RNG = random.Random(14)


def _full(value: str, want_mobile: bool) -> str:
    """validators.mobile / phone through phonenumbers' parse: the E.164 form, or "refused"."""
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        return "refused"
    if not phonenumbers.is_valid_number(number):
        return "refused"
    if want_mobile and phonenumbers.number_type(number) not in validators._MOBILE_TYPES:
        return "refused"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _checked(check, value: str) -> str:
    try:
        return check(value)
    except InvalidValue:
        return "refused"


def _full_mask(e164: str) -> str:
    """masking.mask_phone's parse path (the fast paths bypassed)."""
    number = phonenumbers.parse(e164, None)
    national = phonenumbers.national_significant_number(number)
    if number.country_code == 86 and len(national) == 11 and phonenumbers.number_type(number) in masking._MOBILE_TYPES:
        return national[:3] + "****" + national[-4:]
    return f"+{number.country_code} " + masking.mask_account_number(national)


MOBILES = [f"{p}{rest}" for p in range(13000, 20000) for rest in ("000000", "999999", f"{RNG.randrange(10**6):06d}")]
# every two- and three-digit area code with a 7- and an 8-digit local number, with and without the dash
LANDLINES = [
    f"0{area}{dash}{local}"
    for area in [f"{a:02d}" for a in range(10, 100)] + [f"{a:03d}" for a in range(100, 1000)]
    for local in (f"{RNG.randrange(10**7):07d}", f"{RNG.randrange(10**8):08d}", "50000000", "29999999")
    for dash in ("-", "")
]


@pytest.mark.parametrize("numbers", [MOBILES, LANDLINES], ids=["mobiles", "landlines"])
def test_mobile_and_phone_agree_with_phonenumbers_on_every_prefix(numbers: list[str]):
    # given every mainland mobile prefix of five digits and every area code (fast path shapes)
    # when each is checked as a mobile and as any phone, by the validators and by phonenumbers' own parse
    # then both give the same E.164 form or both refuse
    assert [n for n in numbers if _checked(validators.mobile, n) != _full(n, want_mobile=True)] == []
    assert [n for n in numbers if _checked(validators.phone, n) != _full(n, want_mobile=False)] == []
    # and every number phonenumbers takes took the fast path (none needed parse)
    unknown = phonenumbers.PhoneNumberType.UNKNOWN
    fast = [n for n in numbers if cn_phone.number_type(cn_phone.national(n) or "") != unknown]
    assert fast == [n for n in numbers if _full(n, want_mobile=False) != "refused"]
    assert len(fast) > 1000


@pytest.mark.parametrize("value", ["+86 13812345678", "138 1234 5678", "1381234567", "12012345678", "(0755)51234567"])
def test_other_shapes_are_left_to_phonenumbers(value: str):
    assert cn_phone.national(value) is None
    assert _checked(validators.phone, value) == _full(value, want_mobile=False)


def test_mask_of_mainland_numbers_agrees_with_the_parse_path():
    # given the E.164 forms of valid mainland mobiles and landlines
    valid = [_full(n, want_mobile=False) for n in MOBILES[::7] + LANDLINES]
    e164 = [v for v in valid if v != "refused"]
    # then the mask is the one the parse path gives
    assert [v for v in e164 if masking.mask_phone(v) != _full_mask(v)] == []
    assert masking.mask_phone("+8675551234567") == "+86 *******4567"
