"""The reference code tables shipped as CSV under ``bankcrm/reference_data``: shape and key contents."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from babel.numbers import get_currency_name, get_currency_precision

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "src" / "bankcrm" / "reference_data"
HEADER = ["code", "parent_code", "label_en", "label_zh", "sort_order"]
CJK = re.compile(r"[\u4e00-\u9fff]")
EXPECTED_FILES = {
    "address_type.csv": 6,
    "calendar_day_kind.csv": 2,
    "company_type.csv": 16,
    "contact_channel.csv": 6,
    "contact_role.csv": 5,
    "contact_time.csv": 6,
    "customer_status.csv": 5,
    "education.csv": 10,
    "enterprise_size.csv": 4,
    "ethnicity.csv": 58,
    "family_relation.csv": 7,
    "ftp_term.csv": 8,
    "gender.csv": 2,
    "home_ownership.csv": 6,
    "id_type.csv": 7,
    "income_band.csv": 6,
    "industry.csv": 117,
    "marital_status.csv": 8,
    "occupation.csv": 11,
    "source_channel.csv": 8,
    "product_category.csv": 10,
    "account_status.csv": 4,
    "account_party_role.csv": 5,
    "loan_status.csv": 3,
    "loan_class.csv": 5,
    "repayment_method.csv": 4,
    "guarantee_type.csv": 4,
    "txn_channel.csv": 7,
    "txn_purpose.csv": 10,
    "maturity_outcome.csv": 4,
    "followup_outcome.csv": 4,
    "lead_disqualify_reason.csv": 6,
    "lead_interest.csv": 8,
    "lead_source.csv": 8,
    "model_status.csv": 4,
    "activity_kind.csv": 4,
    "activity_outcome.csv": 5,
    "activity_status.csv": 3,
    "competitor.csv": 8,
    "opportunity_loss_reason.csv": 6,
    "task_kind.csv": 4,
    "lifecycle_stage.csv": 7,
    "link_type.csv": 11,
    "link_reading.csv": 12,
    "match_method.csv": 5,
    "survivorship_rule.csv": 4,
    "warning_status.csv": 4,
    "warning_action.csv": 6,
    "warning_outcome.csv": 4,
    "lost_reason.csv": 7,
    "winback_result.csv": 3,
    "warning_severity.csv": 3,
}
# The code_item table holds category/code/parent_code in String(40) and labels in String(200).
MAX_CODE_LEN = 40
MAX_LABEL_LEN = 200


def read_header(name: str) -> list[str]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def read_rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, strict=True))


def by_code(name: str) -> dict[str, dict[str, str]]:
    return {row["code"]: row for row in read_rows(name)}


def test_the_reference_folder_holds_exactly_the_expected_csv_files() -> None:
    # Given the reference folder
    # When listing its files
    names = sorted(p.name for p in REFERENCE_DIR.iterdir() if p.is_file())
    # Then it holds exactly the expected CSV files and nothing else
    assert names == sorted(EXPECTED_FILES)


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_every_file_has_the_exact_header_and_row_count(name: str) -> None:
    # Given a reference file
    # When reading its header and rows
    header = read_header(name)
    rows = read_rows(name)
    # Then the header is exact and the row count is the expected one
    assert header == HEADER
    assert len(rows) == EXPECTED_FILES[name]
    assert all(None not in row and len(row) == len(HEADER) for row in rows)


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_codes_are_unique_non_empty_and_fit_the_column(name: str) -> None:
    # Given a reference file
    codes = [row["code"] for row in read_rows(name)]
    # Then every code is non-empty, free of surrounding spaces, fits String(40), and occurs once
    assert all(code and code == code.strip() and len(code) <= MAX_CODE_LEN for code in codes)
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_every_parent_code_exists_in_the_same_file(name: str) -> None:
    # Given a reference file
    rows = read_rows(name)
    codes = {row["code"] for row in rows}
    # When collecting the parent codes that are set
    parents = {row["parent_code"] for row in rows if row["parent_code"]}
    # Then each one names a row of the same file, and no row is its own parent
    assert parents <= codes
    assert all(row["parent_code"] != row["code"] for row in rows)


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_labels_are_present_and_chinese_labels_contain_cjk(name: str) -> None:
    # Given a reference file
    for row in read_rows(name):
        # Then both labels are non-empty, trimmed and fit String(200)
        for field in ("label_en", "label_zh"):
            assert row[field], (name, row["code"], field)
            assert row[field] == row[field].strip(), (name, row["code"], field)
            assert len(row[field]) <= MAX_LABEL_LEN, (name, row["code"], field)
        # And the Chinese label holds Chinese characters while the English one holds none
        assert CJK.search(row["label_zh"]), (name, row["code"])
        assert not CJK.search(row["label_en"]), (name, row["code"])


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_sort_order_starts_at_10_and_steps_by_10_in_file_order(name: str) -> None:
    # Given a reference file
    raw = [row["sort_order"] for row in read_rows(name)]
    # Then sort_order is a plain integer 10, 20, 30, ... following the row order
    assert all(value.isdigit() for value in raw)
    assert [int(value) for value in raw] == list(range(10, 10 * (len(raw) + 1), 10))


def test_industry_has_the_20_sections_of_gbt_4754_2017_without_parents() -> None:
    # Given the industry table
    rows = read_rows("industry.csv")
    # When selecting the sections (letter codes)
    sections = [row for row in rows if row["code"].isalpha()]
    # Then there are exactly A..T, none of them with a parent
    assert [row["code"] for row in sections] == [chr(c) for c in range(ord("A"), ord("T") + 1)]
    assert all(row["parent_code"] == "" for row in sections)


def test_industry_has_the_97_divisions_each_under_a_section() -> None:
    # Given the industry table
    rows = read_rows("industry.csv")
    sections = {row["code"] for row in rows if row["code"].isalpha()}
    # When selecting the divisions (two-digit codes)
    divisions = [row for row in rows if row["code"].isdigit()]
    # Then there are exactly 01..97, each with a section as its parent, and nothing else in the file
    assert [row["code"] for row in divisions] == [f"{n:02d}" for n in range(1, 98)]
    assert all(row["parent_code"] in sections for row in divisions)
    assert len(sections) + len(divisions) == len(rows)


def test_industry_divisions_sit_in_the_ranges_of_gbt_4754_2017() -> None:
    # Given the industry table
    rows = read_rows("industry.csv")
    # When grouping division codes by section
    ranges: dict[str, list[int]] = {}
    for row in rows:
        if row["code"].isdigit():
            ranges.setdefault(row["parent_code"], []).append(int(row["code"]))
    # Then each section covers exactly its range of the 2017 standard
    expected = {
        "A": (1, 5),
        "B": (6, 12),
        "C": (13, 43),
        "D": (44, 46),
        "E": (47, 50),
        "F": (51, 52),
        "G": (53, 60),
        "H": (61, 62),
        "I": (63, 65),
        "J": (66, 69),
        "K": (70, 70),
        "L": (71, 72),
        "M": (73, 75),
        "N": (76, 79),
        "O": (80, 82),
        "P": (83, 83),
        "Q": (84, 85),
        "R": (86, 90),
        "S": (91, 96),
        "T": (97, 97),
    }
    assert {section: (min(codes), max(codes)) for section, codes in ranges.items()} == expected
    assert all(codes == list(range(codes[0], codes[-1] + 1)) for codes in ranges.values())


def test_industry_rows_follow_the_tree_order() -> None:
    # Given the industry table
    rows = read_rows("industry.csv")
    # Then every division comes after its section and before the next section
    current_section = ""
    for row in rows:
        if row["code"].isalpha():
            current_section = row["code"]
        else:
            assert row["parent_code"] == current_section, row["code"]


@pytest.mark.parametrize(
    ("code", "parent_code", "label_en", "label_zh"),
    [
        ("A", "", "Agriculture, Forestry, Animal Husbandry and Fishery", "农、林、牧、渔业"),
        ("01", "A", "Agriculture", "农业"),
        (
            "05",
            "A",
            "Professional and Support Activities for Agriculture, Forestry, Animal Husbandry and Fishery",
            "农、林、牧、渔专业及辅助性活动",
        ),
        ("11", "B", "Professional and Support Activities for Mining", "开采专业及辅助性活动"),
        ("25", "C", "Processing of Petroleum, Coal and Other Fuels", "石油、煤炭及其他燃料加工业"),
        ("J", "", "Finance", "金融业"),
        ("66", "J", "Monetary and Financial Services", "货币金融服务"),
        ("58", "G", "Multimodal Transport and Transport Agency Services", "多式联运和运输代理业"),
        ("79", "N", "Land Management", "土地管理业"),
        ("96", "S", "Grassroots Self-governing Organizations and Other Organizations", "基层群众自治组织及其他组织"),
        ("T", "", "International Organizations", "国际组织"),
        ("97", "T", "International Organizations", "国际组织"),
    ],
)
def test_industry_spot_checks(code: str, parent_code: str, label_en: str, label_zh: str) -> None:
    # Given the industry table
    row = by_code("industry.csv")[code]
    # Then the row matches the standard exactly
    assert (row["parent_code"], row["label_en"], row["label_zh"]) == (parent_code, label_en, label_zh)


def test_ethnicity_has_the_56_groups_plus_97_and_98() -> None:
    # Given the ethnicity table
    rows = read_rows("ethnicity.csv")
    # Then it holds 01..56 then 97 and 98, with Han first and Jino last of the 56
    assert [row["code"] for row in rows] == [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]
    table = by_code("ethnicity.csv")
    assert (table["01"]["label_zh"], table["01"]["label_en"]) == ("汉族", "Han")
    assert (table["56"]["label_zh"], table["56"]["label_en"]) == ("基诺族", "Jino")
    assert table["98"]["label_zh"] == "外国血统中国籍人士"
    assert all(row["label_zh"].endswith("族") for row in rows[:56])


def test_id_type_codes_are_exactly_the_seven_documents() -> None:
    # Given the ID type table
    table = by_code("id_type.csv")
    # Then it holds exactly the seven supported documents
    assert list(table) == [
        "RIC",
        "PASSPORT",
        "HKMO_PERMIT",
        "TW_PERMIT",
        "HMT_RESIDENCE",
        "FOREIGN_PR",
        "FOREIGN_ID",
    ]
    assert table["PASSPORT"]["label_zh"] == "护照"
    assert table["FOREIGN_ID"]["label_zh"] == "外国公民身份证件"
    assert table["RIC"]["label_zh"] == "居民身份证"
    assert table["HKMO_PERMIT"]["label_zh"] == "港澳居民来往内地通行证"
    assert table["TW_PERMIT"]["label_zh"] == "台湾居民来往大陆通行证"
    assert table["HMT_RESIDENCE"]["label_zh"] == "港澳台居民居住证"
    assert table["FOREIGN_PR"]["label_zh"] == "外国人永久居留身份证"


def test_marital_status_follows_gbt_2261_2() -> None:
    # Given the marital status table
    rows = read_rows("marital_status.csv")
    # Then the codes and the hierarchy are those of GB/T 2261.2-2003
    assert [(row["code"], row["parent_code"], row["label_zh"]) for row in rows] == [
        ("10", "", "未婚"),
        ("20", "", "已婚"),
        ("21", "20", "初婚"),
        ("22", "20", "再婚"),
        ("23", "20", "复婚"),
        ("30", "", "丧偶"),
        ("40", "", "离婚"),
        ("90", "", "未说明的婚姻状况"),
    ]


def test_education_nests_doctoral_and_master_under_postgraduate() -> None:
    # Given the education table
    rows = read_rows("education.csv")
    # Then the codes follow the GB/T 4658 top levels, with 11 and 12 under 10
    assert [row["code"] for row in rows] == ["10", "11", "12", "20", "30", "40", "60", "70", "80", "90"]
    assert {row["code"] for row in rows if row["parent_code"] == "10"} == {"11", "12"}
    assert all(row["parent_code"] == "" for row in rows if row["code"] not in {"11", "12"})


def test_occupation_has_the_8_major_groups_plus_bank_additions() -> None:
    # Given the occupation table
    table = by_code("occupation.csv")
    # Then it holds the GB/T 6565-2015 major groups 1..8 and the student, retired and not-employed entries
    assert list(table) == ["1", "2", "3", "4", "5", "6", "7", "8", "S", "R", "U"]
    assert table["7"]["label_zh"] == "军人"
    assert table["8"]["label_zh"] == "不便分类的其他从业人员"


def test_income_bands_run_from_b1_to_b6() -> None:
    # Given the income band table
    rows = read_rows("income_band.csv")
    # Then the six bands appear in ascending order with the open-ended ones at both ends
    assert [row["code"] for row in rows] == ["B1", "B2", "B3", "B4", "B5", "B6"]
    assert (rows[0]["label_en"], rows[0]["label_zh"]) == ("Under CNY 50,000", "5万元以下")
    assert (rows[-1]["label_en"], rows[-1]["label_zh"]) == ("CNY 1,000,000 and above", "100万元及以上")


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("enterprise_size.csv", ["LARGE", "MEDIUM", "SMALL", "MICRO"]),
        (
            "source_channel.csv",
            ["BRANCH", "MOBILE", "ONLINE", "REFERRAL", "MARKETING", "PAYROLL", "CORPORATE", "OTHER"],
        ),
        ("customer_status.csv", ["PROSPECT", "ACTIVE", "DORMANT", "CLOSED", "MERGED"]),
        ("address_type.csv", ["HOME", "WORK", "MAILING", "REGISTERED", "OFFICE", "REG_OFFICE"]),
        ("contact_role.csv", ["LEGAL_REP", "FINANCE", "AGENT", "CONTROLLER", "OTHER"]),
        ("family_relation.csv", ["SPOUSE", "FATHER", "MOTHER", "CHILD", "SIBLING", "GRANDPARENT", "OTHER"]),
        ("home_ownership.csv", ["OWNED", "MORTGAGED", "RENTED", "FAMILY", "DORM", "OTHER"]),
        ("contact_channel.csv", ["PHONE", "SMS", "WECHAT", "EMAIL", "VISIT", "BRANCH"]),
        ("contact_time.csv", ["MORNING", "NOON", "AFTERNOON", "EVENING", "WEEKEND", "ANY"]),
        ("gender.csv", ["M", "F"]),
    ],
)
def test_flat_tables_hold_exactly_their_codes_in_order(name: str, codes: list[str]) -> None:
    # Given a flat code table
    rows = read_rows(name)
    # Then it holds exactly these codes, in this order, none with a parent
    assert [row["code"] for row in rows] == codes
    assert all(row["parent_code"] == "" for row in rows)


def test_company_types_cover_the_business_licence_categories() -> None:
    # Given the company type table
    table = by_code("company_type.csv")
    # Then the codes are upper-case ASCII and the key licence categories are present
    assert all(re.fullmatch(r"[A-Z][A-Z_]*", code) for code in table)
    assert table["LLC"]["label_zh"] == "有限责任公司"
    assert table["LLC_SOLE_NP"]["label_zh"] == "有限责任公司（自然人独资）"
    assert table["JSC_LISTED"]["label_zh"] == "股份有限公司（上市）"
    assert table["INDIVIDUAL_BIZ"]["label_zh"] == "个体工商户"
    assert list(table)[-1] == "OTHER"


def test_the_product_catalogue_covers_every_category_with_both_labels() -> None:
    # Given the product catalogue
    with (REFERENCE_DIR / "catalogue" / "product.csv").open(encoding="utf-8", newline="") as f:
        products = list(csv.DictReader(f, strict=True))
    categories = {row["code"] for row in read_rows("product_category.csv")}
    # Then every category has a product, every product a known category, Chinese label and currency
    assert {p["category"] for p in products} == categories
    assert all(CJK.search(p["label_zh"]) and p["currency"] in {"CNY", "USD"} for p in products)
    # And wealth products carry a risk level R1-R5, time deposits a term
    assert {p["risk_level"] for p in products if p["category"] == "WEALTH"} == {"R1", "R2", "R3", "R4", "R5"}
    assert all(p["term_months"] for p in products if p["category"] == "TIME")


def test_the_product_catalogue_has_debit_cards_and_says_which_products_allow_an_overdraft() -> None:
    # Given the product catalogue
    with (REFERENCE_DIR / "catalogue" / "product.csv").open(encoding="utf-8", newline="") as f:
        products = list(csv.DictReader(f, strict=True))
    # Then debit cards are their own category, and only the demand deposits may be overdrawn
    assert [(p["code"], p["label_zh"]) for p in products if p["category"] == "DEBIT_CARD"] == [
        ("DC-STD", "标准借记卡"),
        ("DC-GOLD", "金卡借记卡"),
    ]
    assert {p["allows_overdraft"] for p in products} == {"Y", "N"}
    assert [p["code"] for p in products if p["allows_overdraft"] == "Y"] == ["DD-CNY", "DD-USD"]


# ISO 4217's minor unit where CLDR shows fewer decimals (scripts/currencies.py keeps ISO's).
ISO_MINOR_UNITS = {"AFN": 2, "ALL": 2, "IQD": 3, "IRR": 2, "KPW": 2, "LAK": 2, "LBP": 2, "MGA": 2, "MMK": 2}
ISO_MINOR_UNITS |= {"RSD": 2, "SOS": 2, "SYP": 2, "YER": 2}


def test_the_currency_catalogue_is_babels_iso_list_with_iso_minor_units() -> None:
    # Given the currency catalogue
    with (REFERENCE_DIR / "catalogue" / "currency.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, strict=True))
    # Then it has 178 codes, once each, with the six of before active and first
    assert len(rows) == len({r["code"] for r in rows}) == 178
    assert [r["code"] for r in rows if r["active"] == "Y"] == ["CNY", "USD", "EUR", "HKD", "JPY", "GBP"]
    assert [r["code"] for r in rows[:6]] == ["CNY", "USD", "EUR", "HKD", "JPY", "GBP"]
    assert [int(r["sort_order"]) for r in rows] == list(range(10, 1790, 10))
    # And names and minor units are Babel's (minor units ISO's where they differ), Chinese names in Chinese
    for r in rows:
        assert r["label_en"] == get_currency_name(r["code"], locale="en"), r["code"]
        assert CJK.search(r["label_zh"]), r["code"]
        assert int(r["minor_units"]) == ISO_MINOR_UNITS.get(r["code"], get_currency_precision(r["code"])), r["code"]
