"""Pinyin of names, with family-name readings for heteronym surnames."""

from __future__ import annotations

import pytest

from bankcrm.kit.pinyin import pinyin_full, pinyin_initials


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("单雄信", "shanxiongxin", "sxx"),
        ("曾国藩", "zengguofan", "zgf"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("解缙", "xiejin", "xj"),
        ("查良镛", "zhaliangyong", "zly"),
        ("仇英", "qiuying", "qy"),
        ("朴槿惠", "piaojinhui", "pjh"),
        ("区庆", "ouqing", "oq"),
        ("乐毅", "yueyi", "yy"),
        ("覃军", "qinjun", "qj"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("万俟卨", "moqixie", "mqx"),
        ("吕布", "lvbu", "lb"),
    ],
)
def test_names(name: str, full: str, initials: str):
    assert pinyin_full(name) == full
    assert pinyin_initials(name) == initials


def test_the_surname_reading_applies_to_the_first_character_only():
    # given 单 and 曾 in the given name, where they keep their everyday reading
    assert pinyin_full("王单") == "wangdan"
    assert pinyin_full("曾曾") == "zengceng"


def test_latin_letters_are_kept_lower_cased_and_other_characters_dropped():
    assert pinyin_full("Zhang San") == "zhangsan"
    assert pinyin_initials("Zhang San") == "zs"
    assert pinyin_full("Li 明") == "liming"
    assert pinyin_initials("Li 明") == "lm"
    assert pinyin_full(" 张三2号· ") == "zhangsanhao"
    assert pinyin_full("Ｚｈａｎｇ") == "zhang"


def test_empty_name():
    assert pinyin_full("") == ""
    assert pinyin_initials("") == ""
