"""Write reference_data/catalogue/currency.csv from Babel's CLDR data (run again when Babel is upgraded).

The list is every currency CLDR records as in use today in some territory (ISO 4217's current list,
funds and precious metals included); names in English and Simplified Chinese; minor units from
``babel.numbers.get_currency_precision``, except where ISO 4217's minor unit differs (CLDR's digits say
how many decimals are usually *shown*, ISO's how many an amount is *kept* in, which is what core banking
delivers). ``active`` is the default for a new database: the bank switches currencies on and off with
``bankcrm currencies activate|deactivate``, and a later sync keeps its choice.
"""

from __future__ import annotations

import csv
from pathlib import Path

from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_precision

OUT = Path(__file__).resolve().parents[1] / "src" / "bankcrm" / "reference_data" / "catalogue" / "currency.csv"
ACTIVE = ("CNY", "USD", "EUR", "HKD", "JPY", "GBP")  # the six the bank used before the full list shipped
# ISO 4217 minor units where CLDR shows fewer decimals (ISO 4217 list one, published 2026-01-01).
ISO_MINOR_UNITS = {
    "AFN": 2, "ALL": 2, "IQD": 3, "IRR": 2, "KPW": 2, "LAK": 2, "LBP": 2,
    "MGA": 2, "MMK": 2, "RSD": 2, "SOS": 2, "SYP": 2, "YER": 2,
}  # fmt: skip
# Chinese names CLDR does not have yet (both currencies are new: 2024 and 2025).
ZH_NAMES = {"XCG": "加勒比盾", "ZWG": "津巴布韦金"}


def current_codes() -> list[str]:
    """Codes in use today in some territory, by CLDR."""
    codes = {code for entries in get_global("territory_currencies").values() for code, _, end, _ in entries if not end}
    return sorted(codes)


def main() -> None:
    """Write the CSV: the six active currencies first, then the rest by code."""
    codes = current_codes()
    ordered = [c for c in ACTIVE if c in codes] + [c for c in codes if c not in ACTIVE]
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["code", "label_en", "label_zh", "minor_units", "active", "sort_order"])
        for i, code in enumerate(ordered, start=1):
            digits = ISO_MINOR_UNITS.get(code, get_currency_precision(code))
            active = "Y" if code in ACTIVE else "N"
            zh = ZH_NAMES.get(code) or get_currency_name(code, locale="zh_CN")
            writer.writerow([code, get_currency_name(code, locale="en"), zh, digits, active, i * 10])
    print(f"{OUT}: {len(ordered)} currencies")


if __name__ == "__main__":
    main()
