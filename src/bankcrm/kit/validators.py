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

from bankcrm.kit.i18n import N_

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
# GB 32100-2015: the 31 characters a USCC may use (no I, O, S, V, Z: they read like 1, 0, 5, U, 2).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CIF_SEQ_MAX = 9_999_999_999
_LATEST_ZONE = timezone(timedelta(hours=14))

_RESIDENT_ID_SHAPE = re.compile(r"[0-9]{17}[0-9X]")
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
    number = _parse_phone(value, region)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise InvalidValue(N_("This is not a mobile phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone(value: str, region: str = "CN") -> str:
    """Any valid phone number (mobile or landline) in E.164 form; raises InvalidValue."""
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
