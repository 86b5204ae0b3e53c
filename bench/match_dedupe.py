"""Duplicate detection over N synthetic customers: the scoring of ``bankcrm match run --full``, without the DB load.

Generates N individuals in memory (seeded; common surnames and given-name characters, so that namesakes
are frequent as in a real CIF), plants duplicates (2% of customers get a copy with a traditional-script
name, a mobile digit off, a missing field or a birth-date digit swapped), then times ``prepare`` (folding,
pinyin) and ``score`` (Splink on DuckDB, every blocking rule) and reports wall seconds, peak RSS and how
many planted duplicates were found at or above the upper threshold.

Usage: PYTHONPATH=src python bench/match_dedupe.py [N] [--threads T]
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

import numpy as np
import polars as pl

from bankcrm.matching.service import scoring

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫斌宇浩凯健俊帆帅旭宁龙林欢阳建国"
    "志文辉力明永健世广义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进"
    "林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁"
    "栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
)
TRADITIONAL = {
    "伟": "偉",
    "华": "華",
    "国": "國",
    "丽": "麗",
    "红": "紅",
    "军": "軍",
    "龙": "龍",
    "刘": "劉",
    "陈": "陳",
}
CITIES = [
    "北京市朝阳区",
    "北京市海淀区",
    "上海市浦东新区",
    "上海市黄浦区",
    "广州市天河区",
    "深圳市南山区",
    "杭州市西湖区",
]
STREETS = [f"{w}{k}" for w in "建国人民解放中山和平幸福光明新华文化胜利" for k in ("路", "街", "大道")]
COMPANIES = [f"{c}{w}科技有限公司" for c in ("北京", "上海", "广州", "深圳", "杭州") for w in GIVEN[:200]]


def synthetic(n: int, seed: int = 14) -> tuple[pl.DataFrame, int]:
    """``n`` customers of which 2% are planted copies of others; returns the frame and the planted count."""
    rng = np.random.default_rng(seed)
    base = n - n // 50
    surnames = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), base)]
    given1 = np.array(GIVEN)[rng.integers(0, len(GIVEN), base)]
    given2 = np.where(rng.random(base) < 0.7, np.array(GIVEN)[rng.integers(0, len(GIVEN), base)], "")
    names = np.char.add(np.char.add(surnames, given1), given2)
    births = np.datetime64("1945-01-01") + rng.integers(0, 365 * 60, base).astype("timedelta64[D]")
    genders = np.where(rng.random(base) < 0.5, "M", "F")
    mobiles = np.char.add("1", rng.integers(3_000_000_000, 9_999_999_999, base).astype(str))
    mobiles = np.where(rng.random(base) < 0.15, None, mobiles)
    addresses = np.char.add(
        np.char.add(
            np.array(CITIES)[rng.integers(0, len(CITIES), base)], np.array(STREETS)[rng.integers(0, len(STREETS), base)]
        ),
        np.char.add(rng.integers(1, 999, base).astype(str), "号"),
    )
    addresses = np.where(rng.random(base) < 0.3, None, addresses)
    employers = np.where(rng.random(base) < 0.5, None, np.array(COMPANIES)[rng.integers(0, len(COMPANIES), base)])
    frame = pl.DataFrame(
        {
            "unique_id": np.arange(base, dtype=np.int64),
            "name": names,
            "birth_date": births.astype(str),
            "gender": genders,
            "mobile": mobiles.tolist(),
            "address": addresses.tolist(),
            "employer": employers.tolist(),
            "id_no": None,
        },
        schema_overrides={"id_no": pl.String},
    )
    copies = frame.sample(n - base, seed=seed).to_dicts()
    for k, row in enumerate(copies):
        row["truth"] = row["unique_id"]
        row["unique_id"] = base + k
        change = k % 5
        if change == 0:
            row["name"] = "".join(TRADITIONAL.get(ch, ch) for ch in row["name"])
        elif change == 1 and row["mobile"]:
            digits = list(row["mobile"])
            digits[7] = str((int(digits[7]) + 1) % 10)
            row["mobile"] = "".join(digits)
        elif change == 2:
            row["address"] = None
        elif change == 3:
            b = row["birth_date"]
            row["birth_date"] = b[:8] + b[9] + b[8] if b[8] != b[9] else b
        else:
            row["employer"] = None
    planted = pl.DataFrame(copies, schema={**frame.schema, "truth": pl.Int64})
    full = pl.concat([frame.with_columns(pl.col("unique_id").alias("truth")), planted])
    return full, len(copies)


def main(argv: list[str]) -> None:
    n = int(argv[0]) if argv and argv[0].isdigit() else 1_000_000
    threads = int(argv[argv.index("--threads") + 1]) if "--threads" in argv else 2
    records, planted = synthetic(n)
    truth = dict(zip(records["unique_id"].to_list(), records["truth"].to_list(), strict=True))
    load_before = os.getloadavg()
    started = time.perf_counter()
    prepared = scoring.prepare(records.drop("truth"))
    prepared_at = time.perf_counter()
    pairs = scoring.score(prepared, threshold=0.6, threads=threads)
    finished = time.perf_counter()
    links = pairs.filter(pl.col("probability") >= 0.95)
    found = sum(
        1 for a, b in zip(links["id_l"].to_list(), links["id_r"].to_list(), strict=True) if truth[a] == truth[b]
    )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "customers": records.height,
                "planted_duplicates": planted,
                "threads": threads,
                "prepare_seconds": round(prepared_at - started, 1),
                "score_seconds": round(finished - prepared_at, 1),
                "total_seconds": round(finished - started, 1),
                "pairs_at_or_above_lower": pairs.height,
                "links": links.height,
                "links_true": found,
                "peak_rss_mib": round(peak_kib / 1024),
                "loadavg_before": [round(x, 2) for x in load_before],
                "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
