"""The customers feed generator: deterministic per seed, every value passes the entry form's checks, exact plants."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bankcrm.access.principal import SYSTEM_PRINCIPAL
from bankcrm.access.service import units as unit_service
from bankcrm.cli.main import app
from bankcrm.config import get_settings
from bankcrm.customers.service import validation
from bankcrm.db import make_engine, make_sessionmaker, session_scope
from bankcrm.demo import addresses, feed, feed_files
from bankcrm.demo import org as demo_org
from bankcrm.kit import validators
from bankcrm.kit.pinyin import pinyin_full
from bankcrm.migrate import upgrade

DAY = date(2026, 12, 2)
N = 120  # slots 0-19 of the 50-block occur 3 times below 120, slots 20-49 twice
SIMPLIFIED = {t: s for s, t in feed.TRADITIONAL_FORMS.items()}
CREDIT_KEPT = [c for c in feed.CREDIT_COLUMNS if c not in ("source_customer_id", "mobile")]


def _rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> feed_files.FeedFiles:
    return feed_files.write_feed(tmp_path_factory.mktemp("feed"), N, DAY, seed=7)


@pytest.fixture(scope="module")
def truth(files: feed_files.FeedFiles) -> list[dict[str, str]]:
    assert files.truth is not None
    return _rows(files.truth)


def _pairs(truth: list[dict[str, str]]) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """CORE and CREDIT record of every cluster both sources deliver."""
    core = {r["truth_cluster"]: r for r in truth if r["source"] == "CORE"}
    return {
        r["truth_cluster"]: (core[r["truth_cluster"]], r)
        for r in truth
        if r["source"] == "CREDIT" and r["truth_cluster"] in core
    }


def _kind(row: dict[str, str]) -> str:
    slot = feed.slot_of(int(row["source_customer_id"][2:]) - 1)
    assert slot is not None
    return slot


def test_the_same_seed_writes_the_same_bytes_and_another_seed_other_people(tmp_path: Path):
    # given the feed written twice with seed 7 (once by two worker processes in small chunks) and once with seed 8
    a = feed_files.write_feed(tmp_path / "a", 300, DAY, seed=7)
    b = feed_files.write_feed(tmp_path / "b", 300, DAY, seed=7, chunk=40, workers=2)
    c = feed_files.write_feed(tmp_path / "c", 300, DAY, seed=8)
    # then seed 7 gives identical files, seed 8 different people
    for name in ("core", "credit", "truth"):
        assert getattr(a, name).read_bytes() == getattr(b, name).read_bytes()
    assert a.core.read_bytes() != c.core.read_bytes()
    assert (a.core_rows, a.credit_rows) == (300, 90)


def test_the_truth_file_plants_exactly_the_counted_duplicates(files: feed_files.FeedFiles, truth: list[dict[str, str]]):
    # given the truth file of 120 CORE customers
    credit = [r for r in truth if r["source"] == "CREDIT"]
    pairs = _pairs(truth)
    # then it holds every record of both deliveries, and per kind exactly the planted count
    assert len(truth) == len(_rows(files.core)) + len(_rows(files.credit)) == 120 + 41
    assert Counter(_kind(r) for r in credit) == {
        "clean": 12, "typo": 3, "mobile_swap": 3, "old_phone": 3, "traditional": 3, "pinyin": 3, "missing_id": 3,
        "hard_negative": 3, "new": 3, "corporate_copy": 5,
    }  # fmt: skip
    assert feed.planted_counts(N) == Counter(
        clean=12, typo=3, mobile_swap=3, old_phone=3, traditional=3, pinyin=3, missing_id=3, hard_negative=3,
        new=3, corporate_copy=5, no_id=13, hard_negative_no_id=1,
    )  # fmt: skip
    # and a CREDIT record shares its truth cluster with a CORE one exactly when it is the same customer
    assert Counter(_kind(r) for _, r in pairs.values()) == {
        k: n
        for k, n in feed.planted_counts(N).items()
        if k not in ("new", "hard_negative", "no_id", "hard_negative_no_id")
    }
    assert len({r["truth_cluster"] for r in truth}) == 120 + 6
    near = [r for _, r in pairs.values() if _kind(r) in feed.NEAR_DUPLICATES]
    assert sum(1 for r in near if r["id_no"] == "") == 13
    assert sum(1 for r in credit if _kind(r) == "hard_negative" and r["id_no"] == "") == 1


def test_each_planted_near_duplicate_differs_from_its_core_record_as_its_kind_says(truth: list[dict[str, str]]):
    # given every CORE/CREDIT pair of the same customer
    for core, credit in _pairs(truth).values():
        kind = _kind(credit)
        kept = [c for c in CREDIT_KEPT if c not in ("name", "name_en", "id_type", "id_no")]
        # then what is not planted is the same
        assert {c: credit[c] for c in kept} == {c: core[c] for c in kept}, kind
        if kind in ("clean", "corporate_copy"):
            assert (credit["name"], credit["id_no"], credit["uscc"]) == (core["name"], core["id_no"], core["uscc"])
        if kind == "clean":
            assert credit["mobile"] == "+86 " + core["mobile"]
        elif kind == "typo":
            # one character typed as another with the same pinyin
            assert sum(a != b for a, b in zip(core["name"], credit["name"], strict=True)) == 1
            assert pinyin_full(credit["name"]) == pinyin_full(core["name"])
        elif kind == "mobile_swap":
            diff = [p for p, (a, b) in enumerate(zip(core["mobile"], credit["mobile"], strict=True)) if a != b]
            assert len(diff) == 2 and diff[1] == diff[0] + 1 and sorted(core["mobile"]) == sorted(credit["mobile"])
        elif kind == "old_phone":
            assert credit["mobile"] != core["mobile"] and credit["name"] == core["name"]
        elif kind == "traditional":
            assert credit["name"] != core["name"]
            assert "".join(SIMPLIFIED.get(c, c) for c in credit["name"]) == core["name"]
        elif kind == "pinyin":
            spelled = feed.pinyin_name(core["name"])
            assert credit["name"] == spelled or (credit["name"], credit["name_en"]) == (core["name"], spelled.upper())
        elif kind == "missing_id":
            assert (credit["id_type"], credit["id_no"]) == ("", "") and credit["name"] == core["name"]
        if kind not in ("clean", "corporate_copy", "missing_id") and credit["id_no"]:
            assert credit["id_no"] == core["id_no"]


def test_hard_negatives_share_a_name_and_gender_but_not_the_birth_date(truth: list[dict[str, str]]):
    # given the CREDIT look-alikes and the CORE customers they look like
    core = {r["source_customer_id"][2:]: r for r in truth if r["source"] == "CORE"}
    alikes = [r for r in truth if r["source"] == "CREDIT" and _kind(r) == "hard_negative"]
    # then each is another person: own cluster, same name and gender, another birth date and ID number
    for r in alikes:
        twin = core["0" + r["source_customer_id"][2:]]
        assert (r["name"], r["gender"]) == (twin["name"], twin["gender"])
        assert r["birth_date"] != twin["birth_date"] and r["truth_cluster"] != twin["truth_cluster"]
        assert r["id_no"] != twin["id_no"]
    assert len(alikes) == 3


def test_every_identifier_passes_the_entry_forms_checks(truth: list[dict[str, str]]):
    # given every record of both deliveries
    ids, usccs = [], []
    for r in truth:
        errors = validation.Collector()
        # when the ID, USCC, phones and e-mail are checked as the form checks them
        if r["id_no"]:
            country = validation.id_issuer(errors, r["id_type"], r["id_country"])
            number, rid = validation.id_document(errors, r["id_type"], r["id_no"], country)
            validation.match_resident_id(errors, rid, date.fromisoformat(r["birth_date"]), r["gender"])
            ids.append((r["truth_cluster"], number))
        if r["kind"] == "corporate":
            usccs.append((r["truth_cluster"], validators.uscc(r["uscc"])))
            assert r["legal_rep_name"] and r["industry_division"]
        else:
            validators.birth_date(date.fromisoformat(r["birth_date"]))
            assert r["gender"] in ("M", "F")
        if r["mobile"]:
            validators.mobile(r["mobile"])
        for phone in (r["phone_home"], r["phone_work"]):
            if phone:
                validators.phone(phone)
        if r["email"]:
            validators.email(r["email"])
        if r["id_issue_date"] and r["id_expiry_date"]:
            assert r["id_expiry_date"] > r["id_issue_date"]
        # then none fails
        assert errors.errors == [], (r, errors.errors)
    # and an ID number or USCC belongs to one real customer only
    assert len({n for _, n in set(ids)}) == len(set(ids)) and len({n for _, n in set(usccs)}) == len(set(usccs))


def test_codes_and_branches_are_those_of_the_code_tables_and_the_demo_org(db: Session, truth: list[dict[str, str]]):
    # given the demo org tree (the test database has it) and the distinct value of each coded column
    if not demo_org.already_built(db):
        demo_org.build_org(db)
    units = {u.code for u in unit_service.list_units(db, SYSTEM_PRINCIPAL)}
    values: dict[str, set[str]] = {}
    for r in truth:
        for field in validation.CODE_FIELDS:
            if r.get(field):
                values.setdefault(field, set()).add(r[field])
    # when each is checked as the form checks codes
    errors = validation.Collector()
    for field, seen in values.items():
        for value in seen:
            validation.check_codes(db, errors, {field: value})
    # then all are known, and every branch code is a unit
    assert errors.errors == []
    assert sorted(values) == sorted(
        set(validation.CODE_FIELDS) - {"source_channel", "home_ownership", "preferred_channel", "preferred_time"}
    )
    assert {r["branch_code"] for r in truth} <= units


def test_addresses_agree_with_the_branch_city_and_ids_issued_there_keep_their_branch(truth: list[dict[str, str]]):
    # given every address with its home branch's city
    for r in truth:
        branch = r["branch_code"].split("-")[0]
        city = addresses.CITIES[branch]
        districts = tuple(d.name for d in city.districts)
        for text in (r["address"], r["registered_address"]):
            if not text:
                continue
            # then it is written as that city, one of its districts, no other city
            rest = text.removeprefix(city.prefix)
            named_twice = any(c in rest for c in ("北京市", "上海市", "广州市", "省"))
            assert rest != text and rest.startswith(districts) and not named_twice, (branch, text)
        region = r["id_no"][:6]
        # and an ID issued in a branch city keeps its holder at that city's branch
        if region in {d.region for c in addresses.CITIES.values() for d in c.districts}:
            assert any(d.region == region for d in city.districts), (branch, region)


def test_every_vocabulary_character_has_the_pinyin_search_gives_it():
    # given the generator's pinyin table, and the characters it types by mistake
    for char, syllable in feed.SYLLABLES.items():
        # then the search keys' pinyin agrees, and a typo sounds the same
        assert pinyin_full(char) == syllable, char
    for right, wrong in feed.TYPOS.items():
        assert pinyin_full(right) == pinyin_full(wrong), (right, wrong)


def test_gbk_and_utf8_files_hold_the_same_records(tmp_path: Path):
    # given the same feed in GBK and in UTF-8
    utf8 = feed_files.write_feed(tmp_path / "u", 200, DAY, seed=3)
    gbk = feed_files.write_feed(tmp_path / "g", 200, DAY, seed=3, encoding="gbk")
    # then they decode to the same rows (traditional characters included)
    assert _rows(gbk.credit, "gbk") == _rows(utf8.credit) and _rows(gbk.core, "gbk") == _rows(utf8.core)
    assert any(c in SIMPLIFIED for r in _rows(gbk.credit, "gbk") for c in r["name"])


def test_a_delta_changes_one_field_of_existing_customers_and_adds_new_ones(tmp_path: Path):
    # given a delta of 20 records on a book of 1,000 customers
    path = tmp_path / "delta.csv"
    assert feed_files.write_delta(path, 7, 1000, 20) == 20
    rows = _rows(path)
    ids = [int(r["source_customer_id"][2:]) - 1 for r in rows]
    # then 16 are existing customers, each with exactly one field changed, and 4 are new, numbered after them
    changed = [(i, r) for i, r in zip(ids, rows, strict=True) if i < 1000]
    assert len(changed) == 16 and len(set(ids)) == 20 and sorted(ids[16:]) == [1000, 1001, 1002, 1003]
    for i, r in changed:
        before = feed.core_record(7, i)
        assert sum(1 for c in feed.COLUMNS if r[c] != before.get(c, "")) == 1, (i, r)


def test_generate_writes_the_feed_and_loads_it_or_says_how(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # given a database with the demo org tree
    url = f"sqlite:///{tmp_path / 'gen.db'}"
    monkeypatch.setenv("BANKCRM_DATABASE_URL", url)
    monkeypatch.setenv("BANKCRM_MODE", "dev")
    monkeypatch.setenv("COLUMNS", "300")
    upgrade(url)
    engine = make_engine(url)
    with session_scope(make_sessionmaker(engine)) as session:
        demo_org.build(session)
    engine.dispose()
    get_settings.cache_clear()
    try:
        # when 100 customers are generated into a folder
        result = CliRunner().invoke(
            app, ["generate", "--customers", "100", "--out", str(tmp_path / "out"), "--business-date", "2026-12-02"]
        )
    finally:
        get_settings.cache_clear()
    # then the three files are there, and the feed is loaded or the commands to load it are printed
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "100 CORE customers" in out and "30 CREDIT records" in out
    assert "of which 12 planted near-duplicates (7 without an ID) and 2 look-alikes" in out
    for name in ("CORE", "CREDIT", "truth"):
        assert (tmp_path / "out" / f"customers-{name}-20261202.csv").is_file()
    if feed_files.loader_ready():
        assert "Loaded:" in out
    else:
        assert "--type customers --business-date 2026-12-02 --source CREDIT" in out
