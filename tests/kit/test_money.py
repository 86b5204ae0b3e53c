"""Yuan, Percent and BusinessDate: text as typed on a page to fen, basis points and dates, and back."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from bankcrm.kit.money import (
    BAD_AMOUNT,
    BAD_PERCENT,
    BAD_SIGNED_AMOUNT,
    BusinessDate,
    Percent,
    SignedYuan,
    Yuan,
    parse_percent,
    parse_yuan,
    percent_text,
    yuan_text,
)
from bankcrm.kit.time import BAD_DAY, DAY_OUT_OF_RANGE
from bankcrm.kit.validators import InvalidValue


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1,234.56", 123456),
        ("1，234.5", 123450),
        (" 12 ", 1200),
        ("0.01", 1),
        ("0", 0),
        ("10000000000000", 10**15),
        ("", None),
        ("   ", None),
    ],
)
def test_yuan_as_typed_becomes_fen(text: str, fen: int | None) -> None:
    # Given an amount typed on a form, when parsed, then it is exact integer fen (None when blank)
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    "text", ["1.234", "-1", "-0.5", "1e3", "+5", "12a", "1 234", "１２", "10000000000000.01", ".5", "5."]
)
def test_a_bad_amount_is_refused_naming_the_rule(text: str) -> None:
    # Given an amount with three decimals, a sign, an exponent, letters, full-width digits or too large
    # When parsed, then the message says what an amount must be
    with pytest.raises(InvalidValue) as failed:
        parse_yuan(text)
    assert failed.value.msgid == BAD_AMOUNT


def test_a_negative_amount_is_allowed_only_where_signed() -> None:
    # Given negative amounts, when parsed as signed, then they are negative fen; past the bound, refused
    assert (parse_yuan("-1,234.5", signed=True), parse_yuan("-0.01", signed=True)) == (-123450, -1)
    with pytest.raises(InvalidValue) as failed:
        parse_yuan("-1.001", signed=True)
    assert failed.value.msgid == BAD_SIGNED_AMOUNT


@pytest.mark.parametrize(
    ("fen", "text"),
    [(123456, "1,234.56"), (0, "0.00"), (1, "0.01"), (-5000, "-50.00"), (10**15, "10,000,000,000,000.00")],
)
def test_fen_render_as_yuan_and_parse_back(fen: int, text: str) -> None:
    # Given fen, when rendered, then two decimals with separators, which parse back to the same fen
    assert (yuan_text(fen), parse_yuan(text, signed=True)) == (text, fen)


@pytest.mark.parametrize(
    ("text", "bp"),
    [("70", 7000), ("33.5", 3350), ("70%", 7000), (" 12.25 % ", 1225), ("0", 0), ("100", 10000), ("", None)],
)
def test_a_percentage_as_typed_becomes_basis_points(text: str, bp: int | None) -> None:
    # Given a share typed on a form, when parsed, then basis points (None when blank)
    assert parse_percent(text) == bp


@pytest.mark.parametrize("text", ["100.01", "101", "-1", "33.333", "1e1", "abc", "%"])
def test_a_bad_percentage_is_refused(text: str) -> None:
    # Given a share above 100, negative, with three decimals or not a number, when parsed, then refused
    with pytest.raises(InvalidValue) as failed:
        parse_percent(text)
    assert failed.value.msgid == BAD_PERCENT


@pytest.mark.parametrize(("bp", "text"), [(7000, "70"), (3350, "33.5"), (1, "0.01"), (0, "0"), (10000, "100")])
def test_basis_points_render_without_trailing_zeros(bp: int, text: str) -> None:
    # Given basis points, when rendered, then a percentage as people write it
    assert percent_text(bp) == text


def _errors(kind: Any, value: object) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as failed:
        TypeAdapter(kind).validate_python(value)
    return [(e["type"], e["msg"]) for e in failed.value.errors()]


def test_the_annotated_types_parse_text_and_fail_with_the_rule_as_message() -> None:
    # Given the kit types, when text is validated, then the same results and messages as the parsers
    assert [
        TypeAdapter(k).validate_python(v) for k, v in [(Yuan, "1,234.56"), (Percent, "70%"), (SignedYuan, "-1")]
    ] == [
        123456,
        7000,
        -100,
    ]
    assert TypeAdapter(BusinessDate).validate_python(" 2026-12-03 ") == date(2026, 12, 3)
    assert [TypeAdapter(k).validate_python("") for k in (Yuan, Percent, BusinessDate)] == [None, None, None]
    assert _errors(Yuan, "1.001") == [("invalid_value", BAD_AMOUNT)]
    assert _errors(Percent, "101") == [("invalid_value", BAD_PERCENT)]
    assert _errors(BusinessDate, "03/12/2026") == [("invalid_value", BAD_DAY)]
    assert _errors(BusinessDate, "0999-12-31") == [("invalid_value", DAY_OUT_OF_RANGE)]
    assert _errors(BusinessDate, date(999, 1, 1)) == [("date_out_of_range", DAY_OUT_OF_RANGE)]
