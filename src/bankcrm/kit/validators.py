"""Checking and normalising the identifiers a bank collects: resident ID, USCC, phones, e-mail, CIF number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc
from stdnum.iso7064 import mod_11_10

from bankcrm.kit import cn_phone
from bankcrm.kit.i18n import N_

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# GB 32100-2015: the 31 characters a USCC may use (no I, O, S, V, Z: they read like 1, 0, 5, U, 2).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CIF_SEQ_MAX = 9_999_999_999
_LATEST_ZONE = timezone(timedelta(hours=14))

_RESIDENT_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
# The residence permit for Hong Kong, Macao and Taiwan residents (2018): a resident-ID-style number whose first
# six digits name the region of the holder, not a mainland county.
HMT_RESIDENCE_PREFIXES = ("810000", "820000", "830000")
_FOREIGN_PR_2004 = re.compile(r"[A-Z]{3}[0-9]{12}")
_HKMO_PERMIT = re.compile(r"[HM][0-9]{8}([0-9]{2})?")
_TW_PERMIT = re.compile(r"[0-9]{8}([0-9]{2})?")
_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")
_NATIONAL_ID = re.compile(r"[A-Z0-9]{4,20}")
_CIF_SHAPE = re.compile(r"[0-9]{11}")
_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})


class InvalidValue(ValueError):
    """A value the user typed is not acceptable; msgid and params make the translated message."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid = msgid
        self.params: dict[str, object] = params


@dataclass(frozen=True)
class ResidentId:
    """A checked 18-character resident ID number and what it encodes."""

    number: str
    birth_date: date
    gender: str  # "M" or "F"
    region: str  # first 6 digits: the administrative division where the number was issued


def _today(today: date | None) -> date:
    if today is not None:
        return today
    # Without the bank's zone, take the latest calendar date anywhere (UTC+14): a date that has
    # already begun somewhere is never refused as "in the future" because of the server's zone.
    return datetime.now(_LATEST_ZONE).date()


def resident_id_check_char(first17: str) -> str:
    """GB 11643-1999 check character (a digit or X) for the first 17 digits of a resident ID number."""
    if not (len(first17) == 17 and first17.isascii() and first17.isdigit()):
        raise ValueError("first17 must be 17 ASCII digits")
    # stdnum expects the whole number and ignores its last character, so append a placeholder.
    return _ric.calc_check_digit(first17 + "0")


def resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Check an 18-character resident ID number and return its parts; raises InvalidValue."""
    number = "".join(value.split())
    if number.endswith("x"):
        number = number[:-1] + "X"
    if len(number) != 18:
        # The 15-digit form was withdrawn in 2013; every living holder has an 18-character number.
        raise InvalidValue(N_("A resident ID number has 18 characters."))
    if not _RESIDENT_ID_SHAPE.fullmatch(number):
        raise InvalidValue(N_("A resident ID number has 17 digits followed by a digit or X."))
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidValue(N_("The birth date in this ID number does not exist.")) from None
    if born > _today(today):
        raise InvalidValue(N_("The birth date in this ID number is in the future."))
    if born < EARLIEST_BIRTH_DATE:
        raise InvalidValue(N_("The birth date in this ID number is before 1900."))
    if number[17] != resident_id_check_char(number[:17]):
        raise InvalidValue(N_("The check digit of this ID number is wrong."))
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, birth_date=born, gender=gender, region=number[:6])


def hmt_residence_permit(value: str, *, today: date | None = None) -> ResidentId:
    """Check a residence permit number of a Hong Kong, Macao or Taiwan resident (港澳台居民居住证): a resident ID
    number (GB 11643 check digit) beginning 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan)."""
    rid = resident_id(value, today=today)
    if rid.region not in HMT_RESIDENCE_PREFIXES:
        raise InvalidValue(
            N_(
                "A residence permit number of a Hong Kong, Macao or Taiwan resident begins with 810000, 820000 or "
                "830000."
            )
        )
    return rid


def foreign_permanent_resident(value: str, *, today: date | None = None) -> tuple[str, ResidentId | None]:
    """Check a foreign permanent residence ID card number (外国人永久居留身份证); raises InvalidValue.

    The 2023 card has 18 characters laid out as a resident ID (9, province, nationality, birth date, sequence,
    GB 11643 check character), so its birth date and gender are returned; the 2004 card has 15 characters: the
    holder's nationality in three letters, then 12 digits of which the 6th to 11th character give the birth date
    (YYMMDD). No check rule of the 2004 number is published, so it is checked for shape and date only.
    """
    number = "".join(value.split()).upper()
    if len(number) == 18:
        if not number.startswith("9"):
            raise InvalidValue(N_("A permanent residence ID card number of 18 characters begins with 9."))
        return number, resident_id(number, today=today)
    if len(number) == 15:
        if not _FOREIGN_PR_2004.fullmatch(number):
            raise InvalidValue(
                N_("A permanent residence ID card number of 15 characters has 3 letters followed by 12 digits.")
            )
        try:
            datetime.strptime(number[5:11], "%y%m%d")
        except ValueError:
            raise InvalidValue(N_("The birth date in this ID number does not exist.")) from None
        return number, None
    raise InvalidValue(N_("A permanent residence ID card number has 18 characters (15 on cards issued before 2023)."))


def hkmo_permit(value: str) -> str:
    """A Mainland travel permit number of a Hong Kong or Macao resident (港澳居民来往内地通行证); raises
    InvalidValue."""
    number = "".join(value.split()).upper()
    if not _HKMO_PERMIT.fullmatch(number):
        raise InvalidValue(
            N_("A travel permit number of a Hong Kong or Macao resident is H or M followed by 8 digits (or 10).")
        )
    return number


def tw_permit(value: str) -> str:
    """A Mainland travel permit number of a Taiwan resident (台湾居民来往大陆通行证); raises InvalidValue."""
    number = "".join(value.split()).upper()
    if not _TW_PERMIT.fullmatch(number):
        raise InvalidValue(N_("A travel permit number of a Taiwan resident has 8 digits (or 10)."))
    return number


def passport(value: str) -> str:
    """A passport number, by shape only: without the machine-readable zone no check rule applies."""
    number = "".join(value.split()).upper()
    if not _PASSPORT.fullmatch(number):
        raise InvalidValue(N_("A passport number has 5 to 17 letters and digits."))
    return number


def national_id_shape(value: str) -> str:
    """A national identity number of a country without a published check rule: letters and digits only."""
    number = "".join(c for c in value.upper() if c not in " -./")
    if not _NATIONAL_ID.fullmatch(number):
        raise InvalidValue(N_("A national ID number has 4 to 20 letters and digits."))
    return number


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 check character for the first 17 characters of a unified social credit code."""
    if len(first17) != 17 or any(c not in USCC_ALPHABET for c in first17):
        raise ValueError("first17 must be 17 characters of the USCC alphabet")
    return _uscc.calc_check_digit(first17)


def uscc(value: str) -> str:
    """Check a unified social credit code and return it upper-cased; raises InvalidValue."""
    code = value.strip().upper()
    if len(code) != 18:
        raise InvalidValue(N_("A unified social credit code has 18 characters."))
    # Not stdnum's validate(): it insists on digits in the first 8 places, but the registering
    # authority code (place 1) may be a letter such as N or Y under GB 32100-2015.
    if any(c not in USCC_ALPHABET for c in code):
        raise InvalidValue(
            N_("A unified social credit code may use digits and capital letters except I, O, S, V and Z.")
        )
    if code[17] != uscc_check_char(code[:17]):
        raise InvalidValue(N_("The check character of this unified social credit code is wrong."))
    return code


def _parse_phone(value: str, region: str) -> phonenumbers.PhoneNumber:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise InvalidValue(N_("This is not a phone number.")) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue(N_("This phone number is not valid."))
    return number


def mobile(value: str, region: str = "CN") -> str:
    """A valid mobile number in E.164 form ("+8613812345678"); raises InvalidValue."""
    nsn = cn_phone.national(value) if region == "CN" else None
    if nsn is not None and cn_phone.number_type(nsn) in _MOBILE_TYPES:
        return "+86" + nsn  # what parse and format give, without parse's cost (kit/cn_phone.py)
    number = _parse_phone(value, region)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidValue(N_("This is not a mobile phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone(value: str, region: str = "CN") -> str:
    """Any valid phone number (mobile or landline) in E.164 form; raises InvalidValue."""
    nsn = cn_phone.national(value) if region == "CN" else None
    if nsn is not None and cn_phone.number_type(nsn) != phonenumbers.PhoneNumberType.UNKNOWN:
        return "+86" + nsn
    number = _parse_phone(value, region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def email(value: str) -> str:
    """The normalised form of an e-mail address (syntax only, no DNS look-up); raises InvalidValue."""
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        raise InvalidValue(N_("Enter a valid e-mail address.")) from None
    return result.normalized


def cif_number(seq: int) -> str:
    """Customer number: the 10-digit zero-padded sequence plus an ISO 7064 MOD 11,10 check digit."""
    if not 1 <= seq <= CIF_SEQ_MAX:
        raise ValueError(f"CIF sequence must be between 1 and {CIF_SEQ_MAX}, got {seq}")
    body = f"{seq:010d}"
    return body + mod_11_10.calc_check_digit(body)


def is_cif_number(value: str) -> bool:
    """True for an 11-digit customer number whose sequence is at least 1 and whose check digit is right."""
    if not _CIF_SHAPE.fullmatch(value):
        return False
    return int(value[:10]) >= 1 and mod_11_10.is_valid(value)


def birth_date(value: date, *, today: date | None = None) -> date:
    """A plausible date of birth: not in the future and not before 1900; raises InvalidValue."""
    if value > _today(today):
        raise InvalidValue(N_("The date of birth cannot be in the future."))
    if value < EARLIEST_BIRTH_DATE:
        raise InvalidValue(N_("The date of birth cannot be before 1900."))
    return value
