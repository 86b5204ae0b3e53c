"""Demo postal addresses whose province, city, district and road belong together (Faker's zh_CN mixes them)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    """A district of a city: its resident-ID region code, name and a few of its real roads."""

    region: str
    name: str
    roads: tuple[str, ...]


@dataclass(frozen=True)
class City:
    """Where a demo branch is: province ("" for a municipality, which is its own province), city, districts."""

    province: str
    city: str
    districts: tuple[District, ...]

    @property
    def prefix(self) -> str:
        """How an address starts: 北京市 for a municipality, 广东省广州市 for a provincial city."""
        return self.province + self.city


# The demo branches' cities (org.py: BJ, SH, GZ); the districts are those of customers.BRANCHES' region codes.
CITIES = {
    "BJ": City(
        "",
        "北京市",
        (
            District("110105", "朝阳区", ("建国路", "朝阳北路", "望京街", "东三环中路")),
            District("110108", "海淀区", ("中关村大街", "学院路", "知春路")),
            District("110102", "西城区", ("金融大街", "阜成门内大街", "西直门南大街")),
        ),
    ),
    "SH": City(
        "",
        "上海市",
        (
            District("310115", "浦东新区", ("世纪大道", "张杨路", "陆家嘴环路")),
            District("310101", "黄浦区", ("南京东路", "淮海中路", "西藏中路")),
            District("310104", "徐汇区", ("漕溪北路", "肇嘉浜路", "衡山路")),
        ),
    ),
    "GZ": City(
        "广东省",
        "广州市",
        (
            District("440106", "天河区", ("天河路", "花城大道", "体育西路")),
            District("440104", "越秀区", ("中山五路", "环市东路", "东风中路")),
            District("440105", "海珠区", ("江南大道", "新港中路", "工业大道")),
        ),
    ),
}
MOVED_AWAY = 0.3  # share of people who no longer live in the district their ID was issued in


def _district(rng: random.Random, city: City, region: str | None) -> District:
    born_here = [d for d in city.districts if d.region == region]
    if born_here and rng.random() >= MOVED_AWAY:
        return born_here[0]
    return rng.choice(city.districts)


def home(rng: random.Random, branch: str, region: str | None = None) -> str:
    """A flat in the branch's city, mostly in the district of the resident ID's region code."""
    city = CITIES[branch]
    district = _district(rng, city, region)
    road, no = rng.choice(district.roads), rng.randint(1, 400)
    flat = f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 28)}{rng.randint(1, 4):02d}室"
    return f"{city.prefix}{district.name}{road}{no}号{flat}"


def office(rng: random.Random, branch: str) -> str:
    """An office floor in the branch's city."""
    city = CITIES[branch]
    district = rng.choice(city.districts)
    road, no = rng.choice(district.roads), rng.randint(1, 400)
    return f"{city.prefix}{district.name}{road}{no}号{rng.choice('ABCD')}座{rng.randint(2, 40)}层"
