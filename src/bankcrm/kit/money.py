"""Amounts in yuan and shares in percent as people type them, to integer fen and basis points, and back."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from bankcrm.kit.i18n import N_
from bankcrm.kit.time import DAY_SCHEMA, check_day, parse_day
from bankcrm.kit.validators import InvalidValue

MAX_FEN = 10**15  # the API's bound on an amount
BAD_AMOUNT = N_("Enter an amount in yuan, not negative, with at most two decimals.")
BAD_SIGNED_AMOUNT = N_("Enter an amount in yuan with at most two decimals.")
BAD_PERCENT = N_("Enter a percentage from 0 to 100 with at most two decimals.")
# The pydantic error type of a kit type's failure; its message is the msgid (web/errors translates it).
INVALID_VALUE_ERROR = "invalid_value"

_YUAN = re.compile(r"-?[0-9]{1,14}(\.[0-9]{1,2})?")
_PERCENT = re.compile(r"[0-9]+(\.[0-9]{1,2})?")
# Thousands separators people type: ASCII and full-width commas (a Chinese input method gives the latter).
_SEPARATORS = str.maketrans("", "", ",，")


def parse_yuan(text: str, *, signed: bool = False) -> int | None:
    """Yuan as typed (``1234.5``, ``1,234.50``, ``1，234``) to integer fen; None when blank.

    Raises InvalidValue when not a number with at most two decimals, negative (unless ``signed``) or
    beyond 10**15 fen.
    """
    text = text.strip().translate(_SEPARATORS)
    if not text:
        return None
    message = BAD_SIGNED_AMOUNT if signed else BAD_AMOUNT
    if not _YUAN.fullmatch(text) or (text.startswith("-") and not signed):
        raise InvalidValue(message)
    fen = int(Decimal(text) * 100)
    if abs(fen) > MAX_FEN:
        raise InvalidValue(message)
    return fen


def yuan_text(fen: int) -> str:
    """Integer fen as yuan with two decimals and thousands separators (123456 → ``1,234.56``); parses back."""
    return f"{Decimal(fen).scaleb(-2):,.2f}"


def parse_percent(text: str) -> int | None:
    """A percentage as typed (``70``, ``33.5``, ``70%``) to basis points; None when blank.

    Raises InvalidValue unless from 0 to 100 with at most two decimals.
    """
    text = text.strip()
    if not text:
        return None
    text = text.removesuffix("%").strip()
    if not _PERCENT.fullmatch(text) or Decimal(text) > 100:
        raise InvalidValue(BAD_PERCENT)
    return int(Decimal(text) * 100)


def percent_text(bp: int) -> str:
    """Basis points as a percentage without trailing zeros: 7000 → ``70``, 3350 → ``33.5``, 1 → ``0.01``."""
    text = f"{Decimal(bp) / 100:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _typed(parse: object) -> BeforeValidator:
    """A pydantic before-validator running ``parse`` on text; its InvalidValue becomes an ``invalid_value`` error."""

    def check(value: object) -> object:
        if not isinstance(value, str):
            return value  # already parsed (fen, basis points, a date)
        try:
            return parse(value)  # type: ignore[operator]
        except InvalidValue as exc:
            raise PydanticCustomError(INVALID_VALUE_ERROR, exc.msgid) from None

    return BeforeValidator(check)


def _in_range(day: date | None) -> date | None:
    return None if day is None else check_day(day)


# Form fields as typed: blank is None, anything else is parsed or fails naming the rule broken.
Yuan = Annotated[int | None, _typed(parse_yuan)]
SignedYuan = Annotated[int | None, _typed(lambda text: parse_yuan(text, signed=True))]
Percent = Annotated[int | None, _typed(parse_percent)]
# A date on the bank's calendar as typed on a page (YYYY-MM-DD), within the years kit.time.Day accepts.
BusinessDate = Annotated[date | None, _typed(parse_day), AfterValidator(_in_range), WithJsonSchema(DAY_SCHEMA)]
