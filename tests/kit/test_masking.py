"""Masking of C2 data for display."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bankcrm.kit.masking import (
    COMPOUND_SURNAMES,
    mask_account_number,
    mask_email,
    mask_id_number,
    mask_person_name,
    mask_phone,
    mask_text,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("11010519491231002X", "110***********002X"),
        ("E12345678", "E12**5678"),  # a passport number
        ("12345678", "123*5678"),
        ("1234567", "*******"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(value: str | None, shown: str):
    assert mask_id_number(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("+8613812345678", "138****5678"),
        ("+85291234567", "+852 ****4567"),
        ("+861062345678", "+86 ******5678"),  # a Beijing landline is not shown as a mobile
        ("+16502530000", "+1 ******0000"),
        ("13812345678", "*******5678"),  # not E.164: only the last 4 are shown
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value: str | None, shown: str):
    assert mask_phone(value) == shown


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张三", "张*"),
        ("王小明", "王**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马相如", "司马**"),
        ("诸葛亮", "诸葛*"),
        ("欧阳", "欧*"),  # a compound surname alone would otherwise be shown whole
        ("欧", "*"),
        (" 李四 ", "李*"),
        ("\u200b张三", "张*"),  # a zero-width space in front hid the name from the Han rule
        ("张\u200d三", "张*"),
        ("Zhang San", "Z**** ***"),
        ("Li Ming", "L* ****"),
        ("Ouyang Na-Na", "O***** *****"),
        ("John Smith", "J*** *****"),  # a Western given name is not shown whole
        ("Müller", "M*****"),  # one word of Latin letters
        ("\u200bMüller", "M*****"),
        ("\ufeffAnna\u00ad Lee", "A*** ***"),
        ("Ахмед Алиев", "А**** *****"),
        ("محمد", "م***"),
        ("김민준", "김**"),
        ("A", "*"),
        ("\u200b", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_person_name(name: str | None, shown: str):
    assert mask_person_name(name) == shown


# The mask character itself is left out: a "name" of stars cannot be told from its mask.
NAMES = st.text(alphabet=st.characters(blacklist_characters="*", blacklist_categories=("Cs",)), max_size=40)


def _visible(name: str) -> str:
    return "".join(c for c in name if unicodedata.category(c) != "Cf").strip()


@given(NAMES)
def test_a_masked_name_never_shows_the_whole_name(name: str):
    # given a name of at least 2 characters once invisible format characters are dropped
    visible = _visible(name)
    assume(len(visible) >= 2)
    # when it is masked
    shown = mask_person_name(name)
    # then the mask differs from it and does not contain it
    assert shown != visible
    assert visible not in shown
    assert name.strip() not in shown


@pytest.mark.parametrize(
    "surname",
    [
        "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
        "宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门",
    ],
)  # fmt: skip
def test_every_required_compound_surname_is_kept_whole(surname: str):
    # given / when
    shown = mask_person_name(surname + "小明")
    # then
    assert surname in COMPOUND_SURNAMES
    assert shown == surname + "**"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("6222021234567890123", "***************0123"),
        ("12345", "*2345"),
        ("1234", "****"),  # keeping the last 4 would show it all
        ("", ""),
        (None, ""),
    ],
)
def test_mask_account_number(value: str | None, shown: str):
    assert mask_account_number(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("zhang.san@example.com", "z***@example.com"),
        ("a@example.cn", "a***@example.cn"),
        ("no-at-sign", "n***"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_email(value: str | None, shown: str):
    assert mask_email(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("北京市东城区长安街1号", "北京市东城区****"),
        ("Flat 3, 12 Queen's Road", "Flat 3****"),
        ("北京市东城区", "北京市****"),  # 6 characters or fewer: only the first half is kept
        ("上海", "上****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_text(value: str | None, shown: str):
    assert mask_text(value) == shown
