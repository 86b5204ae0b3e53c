"""Pinyin of names, with family-name readings for heteronym surnames."""

from __future__ import annotations

import random

import pytest

from bankcrm.demo import feed
from bankcrm.kit import pinyin
from bankcrm.kit.pinyin import pinyin_full, pinyin_initials
from bankcrm.kit.pinyin_plain import ONE_READING


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


def _by_phrases(name: str) -> tuple[str, ...]:
    """What pypinyin's phrase segmentation makes of a name (the path every name took before the fast path)."""
    surname, rest = pinyin._surname_split(name.strip())
    return (*surname, *pinyin._converted(rest))


def test_names_read_character_by_character_read_as_pypinyin_reads_them_whole():
    # Given the generated feed's names (30,000 draws: common surnames, given names, traditional surnames), the
    # heteronym surnames before a given name, and given names full of characters read differently in some phrase
    names = {
        feed._name(feed._stream(7, i), "M" if i % 2 else "F", traditional_surname=i % 7 == 0) for i in range(30_000)
    }
    names |= {
        s + g
        for s in ("单", "曾", "解", "区", "查", "仇", "朴", "乐", "尉迟", "万俟")
        for g in ("雄信", "长乐", "行", "")
    }
    names |= {
        "长乐",
        "重庆",
        "银行",
        "王长发",
        "张朝阳",
        "李觉",
        "吕乐乐",
        "阿依古丽·买买提",
        "Zhang 三",
        "张　三",
        "〇",
    }
    # And random names of two to four characters drawn from characters with and without the fast path
    rng = random.Random(14)
    plain = sorted(ONE_READING)
    mixed = plain[:2000] + sorted("长乐行重朝觉发曾单解区查红娜强冯叶贾沈和得了着的地")
    names |= {"".join(rng.choice(mixed) for _ in range(rng.randint(2, 4))) for _ in range(20_000)}
    # When each is read (the fast path where every character after the surname has one reading)
    fast = sum(all(c in ONE_READING for c in pinyin._surname_split(n)[1]) for n in names)
    # Then every reading is the one pypinyin's segmentation gives, and most names took the fast path
    assert [n for n in names if pinyin._syllables(n) != _by_phrases(n)] == []
    assert fast > len(names) // 2
