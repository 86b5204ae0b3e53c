"""Synthetic ``customers`` feed files (docs/ingest-formats.md) from two sources, with planted near-duplicates.

CORE (core banking) delivers every customer; CREDIT (the credit system) delivers some of the same people
under its own customer numbers, sometimes entered slightly differently, plus people CORE does not know.
A truth file lists every record of both files with ``source`` and ``truth_cluster`` (the real person), so
``bankcrm match evaluate`` can score the matcher against what was planted.

Everything about customer ``i`` follows from (seed, i) alone: the files stream in chunks (memory does not grow
with N), the same seed always writes the same bytes, and a delta can re-create any existing customer to change it.
Who gets a CREDIT record, and which kind of difference, follows a fixed pattern over ``i % BLOCK`` (SLOTS), so
the planted counts for any N are exact (``planted_counts``).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import SupportsLenAndGetItem


from bankcrm.demo import addresses
from bankcrm.demo.feed_words import (
    _COMPANY_FORMS,
    _EDUCATION,
    _EMAIL_DOMAINS,
    _EMPLOYER_DIVISIONS,
    _EMPLOYER_INDUSTRY,
    _ETHNIC_MINORITIES,
    _GIVEN,
    _INCOME,
    _OCCUPATION_WORKING,
    _POSITIONS,
    _SURNAME_POOL,
    _TRADE_NAMES,
    _TRADES,
    _TRADITIONAL_SURNAMES,
    SYLLABLES,
    TRADITIONAL_FORMS,
    TYPOS,
)
from bankcrm.demo.org import BRANCHES as ORG_BRANCHES
from bankcrm.kit import validators

ANCHOR = date(2026, 11, 1)  # the day ages and ID validity are reckoned from (the demo's TODAY): bytes never drift
MIN_AGE, MAX_AGE = 18, 80
DAYS = (MAX_AGE - MIN_AGE) * 365
_MASK = (1 << 64) - 1
T = TypeVar("T")

# Who is who, per position in a block of 50 customers (i % BLOCK). Slots not named are CORE-only individuals.
BLOCK = 50
CORPORATE_SLOTS = frozenset({3, 7, 13, 19, 23, 29, 33, 39, 43, 47})  # a fifth are companies, as in the demo
CLEAN = "clean"  # CREDIT has the same person with the same ID number: a deterministic identity link
TYPO = "typo"  # one character of the name mistyped: same pinyin or similar-looking
MOBILE_SWAP = "mobile_swap"  # two adjacent digits of the mobile swapped
OLD_PHONE = "old_phone"  # the mobile the person had before
TRADITIONAL = "traditional"  # the name in traditional characters (繁体)
PINYIN = "pinyin"  # the name in pinyin: as the name, or beside it as name_en
MISSING_ID = "missing_id"  # ID type and number left blank, all else the same
HARD_NEGATIVE = "hard_negative"  # a different person with the same name and a different birth date
NEW = "new"  # a person only CREDIT knows
CORPORATE_COPY = "corporate_copy"  # a company CREDIT lends to: the same USCC
NEAR_DUPLICATES = (TYPO, MOBILE_SWAP, OLD_PHONE, TRADITIONAL, PINYIN, MISSING_ID)
SLOTS: dict[int, str] = {
    0: CLEAN,
    10: CLEAN,
    20: CLEAN,
    30: CLEAN,
    40: CLEAN,
    1: TYPO,
    2: MOBILE_SWAP,
    4: OLD_PHONE,
    5: TRADITIONAL,
    6: PINYIN,
    8: MISSING_ID,
    9: HARD_NEGATIVE,
    15: NEW,
    3: CORPORATE_COPY,
    23: CORPORATE_COPY,
}
# A CORE-only customer in this slot is a foreigner or a Hong Kong, Macao or Taiwan compatriot: one in 50, each
# with a valid document of the kind FOREIGN_KINDS gives by block (docs/customers.md "Foreign customers").
FOREIGN_SLOT = 11
FOREIGN_KINDS = (
    "PASSPORT",
    "FOREIGN_ID",
    "FOREIGN_PR",
    "HKMO_PERMIT",
    "TW_PERMIT",
    "HMT_RESIDENCE",
    "PASSPORT",
    "FOREIGN_ID",
)
# Issuing country (ISO 3166-1 alpha-2) and its GB/T 2659 numeric code (the 2023 permanent residence card has it).
_PASSPORT_COUNTRIES = (
    ("US", "840"),
    ("GB", "826"),
    ("DE", "276"),
    ("FR", "250"),
    ("JP", "392"),
    ("KR", "410"),
    ("SG", "702"),
    ("AU", "036"),
    ("CA", "124"),
    ("RU", "643"),
)
_NATIONAL_ID_COUNTRIES = ("ES", "NL")  # national ID cards python-stdnum checks (es.dni, nl.bsn)
_LATIN_GIVEN = {
    "M": ("John", "Thomas", "Pierre", "Hiroshi", "Min-jun", "Carlos", "Ivan", "Jan", "David", "Lucas"),
    "F": ("Emily", "Anna", "Marie", "Yuki", "Ji-eun", "Giulia", "Olga", "Sanne", "Laura", "Sofia"),
}
_LATIN_FAMILY = ("Smith", "Mueller", "Dupont", "Tanaka", "Kim", "Garcia", "Ivanova", "de Vries", "Brown", "Rossi")
_HMT_PREFIX = ("810000", "820000", "830000")  # Hong Kong, Macao, Taiwan
# Other people than CORE's customer i: their IDs come from index spaces far from CORE's (see _identity).
HARD_NEGATIVE_BASE = 100_000_000
NEW_BASE = 200_000_000

# The file contract's columns, in its order (FEED.md).
COLUMNS = (
    "kind",
    "source_customer_id",
    "branch_code",
    "name",
    "name_en",
    "status",
    "id_type",
    "id_country",
    "id_no",
    "id_issue_date",
    "id_expiry_date",
    "birth_date",
    "gender",
    "nationality",
    "ethnicity",
    "marital_status",
    "education",
    "industry",
    "occupation",
    "income_band",
    "employer",
    "position",
    "mobile",
    "phone_home",
    "phone_work",
    "email",
    "address",
    "uscc",
    "legal_rep_name",
    "company_type",
    "enterprise_size",
    "registered_capital",
    "capital_currency",
    "established_on",
    "licence_expiry",
    "registered_address",
    "business_scope",
    "industry_division",
)
# The credit system keeps fewer fields, in its own order (the contract takes columns in any order).
CREDIT_COLUMNS = (
    "source_customer_id",
    "kind",
    "name",
    "name_en",
    "id_type",
    "id_country",
    "id_no",
    "gender",
    "birth_date",
    "mobile",
    "address",
    "employer",
    "position",
    "occupation",
    "income_band",
    "marital_status",
    "branch_code",
    "status",
    "uscc",
    "legal_rep_name",
    "company_type",
    "registered_capital",
    "registered_address",
    "industry_division",
)
TRUTH_COLUMNS = ("source", *COLUMNS, "truth_cluster")
Row = dict[str, str]

# Resident-ID regions: the demo branches' districts (addresses.CITIES), then places people moved from.
_BRANCH_REGIONS = [(branch, d.region) for branch, city in addresses.CITIES.items() for d in city.districts]
_ELSEWHERE = ("130102", "320106", "330106", "420106", "510104", "410105", "430104", "370102")
REGIONS = tuple(r for _, r in _BRANCH_REGIONS) + _ELSEWHERE
_REGION_BRANCH = {r: b for b, r in _BRANCH_REGIONS}
_BRANCH_CODES = tuple(addresses.CITIES)
# Home units: each branch and every unit under it (demo/org.py).
UNITS: dict[str, tuple[str, ...]] = {
    code: (code, *(s[0] for s in subs), *(o[0] for s in subs for o in s[3])) for code, _en, _zh, subs in ORG_BRANCHES
}
_AREA_CODES = {"BJ": "010", "SH": "021", "GZ": "020"}
_CITY_SHORT = {"BJ": "北京", "SH": "上海", "GZ": "广州"}
# Mobile prefixes of the three carriers that libphonenumber (the form's check) knows as mobile.
_MOBILE_PREFIXES = ("138", "139", "136", "137", "135", "150", "151", "158", "186", "185", "177", "133", "188", "189")


class Mix(random.Random):
    """A random stream seeded by one integer in constant time, so that every customer has its own.

    ``random.Random(seed)`` costs ~8 µs to seed (it fills 624 words of state), too much a million times over.
    The seed is scrambled once (SplitMix64's finaliser), then each draw is one 64-bit LCG step (Knuth's MMIX
    constants) whose high bits are used: plenty for test data, and the same bytes on every platform.
    """

    def __init__(self, seed: int = 0) -> None:
        self.seed(seed)  # not Random.__init__: a second call for nothing, a million times
        self.gauss_next = None

    def seed(self, a: object = None, version: int = 2) -> None:
        """Set the stream's state from an integer seed (the base class's seeding is not used)."""
        z = ((a if isinstance(a, int) else 0) + 0x9E3779B97F4A7C15) & _MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        self._state = z ^ (z >> 31)

    def below(self, n: int) -> int:
        """An integer in [0, n) (n well below 2**32; the bias is far below anything the feed could show)."""
        self._state = x = (self._state * 6364136223846793005 + 1442695040888963407) & _MASK
        return (x >> 32) % n

    def random(self) -> float:
        """A float in [0, 1)."""
        return self.below(1 << 30) / (1 << 30)

    def getrandbits(self, k: int) -> int:
        """An integer of k random bits (k ≤ 32)."""
        return self.below(1 << k) if k else 0

    def _randbelow(self, n: int) -> int:  # what shuffle() and sample() draw with
        return self.below(n)

    def choice(self, seq: SupportsLenAndGetItem[T]) -> T:
        """One element of a non-empty sequence (the step inlined: this is most of the generator's time)."""
        self._state = x = (self._state * 6364136223846793005 + 1442695040888963407) & _MASK
        return seq[(x >> 32) % len(seq)]

    def randint(self, a: int, b: int) -> int:
        """An integer in [a, b]."""
        self._state = x = (self._state * 6364136223846793005 + 1442695040888963407) & _MASK
        return a + (x >> 32) % (b - a + 1)


def _stream(seed: int, index: int, purpose: int = 0) -> Mix:
    return Mix((seed * 0x100000001B3 + index * 0x2545F4914F6CDD1D + purpose * 0x9E3779B1) & _MASK)


@dataclass(frozen=True)
class Identity:
    """What a resident ID number encodes: unique per index (a bijection), so no two people share a number."""

    region: str
    birth_date: date
    gender: str
    id_no: str


_IDENTITIES = len(REGIONS) * DAYS * 1000
_SPREAD = 2_147_483_647  # a prime above _IDENTITIES: i -> i * _SPREAD mod _IDENTITIES is one-to-one


def _later(day: date, years: int) -> str:
    return day.replace(year=day.year + years, day=min(day.day, 28)).isoformat()


# Dates as the generator needs them, computed once: a birth date by days before the youngest age, with its
# ID-number digits; an ID card's issue date by days before ANCHOR, with its expiry after 10 and 20 years.
_BIRTHS = [(d, f"{d:%Y%m%d}") for d in (ANCHOR - timedelta(days=MIN_AGE * 365 + n) for n in range(DAYS))]
_ISSUES = [(d, d.isoformat(), _later(d, 10), _later(d, 20)) for d in (ANCHOR - timedelta(days=n) for n in range(3650))]


def _identity(seed: int, index: int) -> Identity:
    k = (index * _SPREAD + seed * 7_919) % _IDENTITIES
    k, region = divmod(k, len(REGIONS))
    seq, day = divmod(k, DAYS)
    born, digits = _BIRTHS[day]
    first17 = f"{REGIONS[region]}{digits}{seq:03d}"
    return Identity(
        REGIONS[region], born, "M" if seq % 2 else "F", first17 + validators.resident_id_check_char(first17)
    )


def _uscc(seed: int, index: int, region: str) -> str:
    serial = (index * 7_777_777 + seed) % 10_000_000  # one-to-one below ten million companies
    body = f"91{region}MA{serial:07d}"
    return body + validators.uscc_check_char(body)


def _mobile(rng: Mix) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.below(100_000_000):08d}"


def _landline(rng: Mix, branch: str) -> str:
    return f"{_AREA_CODES[branch]}-{rng.choice('56')}{rng.below(10_000_000):07d}"


def _name(rng: Mix, gender: str, traditional_surname: bool = False) -> str:
    surname = rng.choice(_TRADITIONAL_SURNAMES if traditional_surname else _SURNAME_POOL)
    pool = _GIVEN[gender]
    given = rng.choice(pool) if rng.below(10) < 3 else rng.choice(pool) + rng.choice(pool)
    return surname + given


def pinyin_name(name: str, upper: bool = False) -> str:
    """ "张伟强" -> "Zhang Weiqiang" (or "ZHANG WEIQIANG"): the surname, then the given name as one word."""
    surname, given = SYLLABLES[name[0]], "".join(SYLLABLES[c] for c in name[1:])
    text = f"{surname.capitalize()} {given.capitalize()}"
    return text.upper() if upper else text


def _company_name(rng: Mix, branch: str, word: str) -> tuple[str, str]:
    form, company_type = rng.choice(_COMPANY_FORMS)
    return f"{_CITY_SHORT[branch]}{rng.choice(_TRADE_NAMES)}{word}{form}", company_type


def _marital(rng: Mix, age: int) -> str:
    roll = rng.below(100)
    if age < 30:
        return "10" if roll < 65 else "20"
    if age >= 70 and roll < 25:
        return "30"
    return "20" if roll < 85 else "40" if roll < 93 else "10"


def _id_dates(rng: Mix, born: date) -> tuple[str, str]:
    """Issue and expiry of a resident ID card: 10 years under 26, 20 under 46, long-term (blank) after."""
    issued, iso, ten, twenty = _ISSUES[rng.below(len(_ISSUES))]
    age = (issued - born).days // 365
    if age < MIN_AGE - 2:  # first card at 16
        issued = born + timedelta(days=(MIN_AGE - 2) * 365 + rng.below(300))
        iso, ten, age = issued.isoformat(), _later(issued, 10), MIN_AGE - 2
    return iso, ten if age < 26 else twenty if age < 46 else ""


def _foreign(ident: Identity, *, index: int, seed: int) -> Row:
    """The name, nationality and document of CORE-only customer ``index`` in the foreign slot: unique numbers
    (from the block number), birth date and gender as ``ident`` encodes them where the document does."""
    from stdnum.es import dni

    rng = _stream(seed, index, 4)
    block = index // BLOCK
    kind = FOREIGN_KINDS[block % len(FOREIGN_KINDS)]
    born = f"{ident.birth_date:%Y%m%d}"
    seq = f"{(block // len(FOREIGN_KINDS)) % 50 * 2:02d}{1 if ident.gender == 'M' else 2}"  # odd: male
    latin = f"{_LATIN_GIVEN[ident.gender][block % 10]} {_LATIN_FAMILY[block // 10 % 10]}"  # unique per 100 blocks
    country, numeric = rng.choice(_PASSPORT_COUNTRIES)
    out: Row = {"id_type": kind, "id_country": "CN", "nationality": "CN"}
    if kind in ("PASSPORT", "FOREIGN_ID", "FOREIGN_PR"):
        out |= {"name": latin, "name_en": latin.upper(), "ethnicity": "", "nationality": country}
    if kind == "PASSPORT":
        out |= {"id_country": country, "id_no": f"{'CEGKP'[block % 5]}{block:08d}"}
    elif kind == "FOREIGN_ID":
        country = _NATIONAL_ID_COUNTRIES[block // len(FOREIGN_KINDS) % 2]
        out |= {"id_country": country, "nationality": country}
        if country == "ES":
            body = f"{10_000_000 + block:08d}"
            out["id_no"] = body + dni.calc_check_digit(body)
        else:
            # BSN "elfproef": weights 9..2 on the first eight digits, -1 on the last; the sum is a multiple of 11
            sums = (
                (b, sum((9 - p) * int(c) for p, c in enumerate(b)) % 11)
                for b in (f"{20_000_000 + block * 10 + k:08d}" for k in range(10))
            )
            body8, check = next((b, c) for b, c in sums if c < 10)
            out["id_no"] = f"{body8}{check}"
    elif kind == "FOREIGN_PR":
        first17 = "9" + ident.region[:2] + numeric + born + seq
        out["id_no"] = first17 + validators.resident_id_check_char(first17)
    elif kind == "HMT_RESIDENCE":
        first17 = _HMT_PREFIX[block % 3] + born + seq
        out["id_no"] = first17 + validators.resident_id_check_char(first17)
    elif kind == "HKMO_PERMIT":
        out["id_no"] = f"{'HM'[block % 2]}{block:08d}"
    else:
        out["id_no"] = f"{block:08d}"
    return out


def _person(seed: int, index: int, slot: str | None, ident: Identity | None = None) -> Row:
    """The CORE record of individual ``index`` (or, with ``ident``, of another person under that index)."""
    foreign = ident is None and slot is None and index % BLOCK == FOREIGN_SLOT
    rng = _stream(seed, index, 1 if ident is None else 2)
    ident = ident or _identity(seed, index)
    branch = _REGION_BRANCH.get(ident.region) or rng.choice(_BRANCH_CODES)
    name = _name(rng, ident.gender, traditional_surname=slot == TRADITIONAL)
    age = (ANCHOR - ident.birth_date).days // 365
    issued, expiry = _id_dates(rng, ident.birth_date)
    division = rng.choice(_EMPLOYER_DIVISIONS)
    retired = age >= 60 and rng.below(10) < 8
    employer = "" if retired else _company_name(rng, branch, _TRADES[int(division) % len(_TRADES)][1])[0]
    married = _marital(rng, age)
    row: Row = {
        "kind": "individual",
        "source_customer_id": f"CB{index + 1:010d}",
        "branch_code": rng.choice(UNITS[branch]),
        "name": name,
        "name_en": "",
        "status": "DORMANT" if rng.below(100) < 8 else "ACTIVE",
        "id_type": "RIC",
        "id_no": ident.id_no,
        "id_issue_date": issued,
        "id_expiry_date": expiry,
        "birth_date": ident.birth_date.isoformat(),
        "gender": ident.gender,
        "nationality": "CN",
        "ethnicity": "01" if rng.below(100) < 91 else rng.choice(_ETHNIC_MINORITIES),
        "marital_status": married,
        "education": rng.choice(_EDUCATION),
        "industry": "" if retired else _EMPLOYER_INDUSTRY[division],
        "occupation": "R" if retired else rng.choice(_OCCUPATION_WORKING),
        "income_band": rng.choice(_INCOME),
        "employer": employer,
        "position": "" if retired else rng.choice(_POSITIONS),
        "mobile": _mobile(rng),
        "phone_home": _landline(rng, branch) if rng.below(10) < 3 else "",
        "phone_work": _landline(rng, branch) if employer and rng.below(10) < 2 else "",
        "email": (
            f"{pinyin_name(name).replace(' ', '').lower()}{rng.below(1000)}@{rng.choice(_EMAIL_DOMAINS)}"
            if rng.below(10) < 4
            else ""
        ),
        "address": addresses.home(rng, branch, ident.region),
    }
    return row | _foreign(ident, index=index, seed=seed) if foreign else row


def _corporate(seed: int, index: int) -> Row:
    rng = _stream(seed, index, 1)
    branch = rng.choice(_BRANCH_CODES)
    region = rng.choice(addresses.CITIES[branch].districts).region
    division, word, scope = rng.choice(_TRADES)
    name, company_type = _company_name(rng, branch, word)
    established = ANCHOR - timedelta(days=400 + rng.below(9000))
    rep = _name(rng, rng.choice("MF"))
    office = addresses.office(rng, branch)
    return {
        "kind": "corporate",
        "source_customer_id": f"CB{index + 1:010d}",
        "branch_code": rng.choice(UNITS[branch]),
        "name": name,
        "status": "ACTIVE",
        "mobile": "",
        "phone_work": _landline(rng, branch),
        "address": office,
        "uscc": _uscc(seed, index, region),
        "legal_rep_name": rep,
        "company_type": company_type,
        "enterprise_size": rng.choice(("MICRO", "SMALL", "SMALL", "MEDIUM", "LARGE")),
        "registered_capital": str(rng.choice((1_000_000, 3_000_000, 5_000_000, 10_000_000, 50_000_000))),
        "capital_currency": "CNY",
        "established_on": established.isoformat(),
        "licence_expiry": established.replace(year=established.year + 30, day=min(established.day, 28)).isoformat(),
        "registered_address": office if rng.below(2) else addresses.office(rng, branch),
        "business_scope": scope,
        "industry_division": division,
    }


def slot_of(index: int) -> str | None:
    """What CREDIT holds for CORE customer ``index`` (None: nothing), by its place in the block."""
    return SLOTS.get(index % BLOCK)


def core_record(seed: int, index: int) -> Row:
    """CORE's record of customer ``index``."""
    if index % BLOCK in CORPORATE_SLOTS:
        return _corporate(seed, index)
    return _person(seed, index, slot_of(index))


def _swap_digits(rng: Mix, mobile: str) -> str:
    digits = list(mobile)
    spots = [p for p in range(3, 10) if digits[p] != digits[p + 1]]
    p = rng.choice(spots) if spots else 9
    digits[p], digits[p + 1] = digits[p + 1], digits[p]
    return "".join(digits)


def _mistype(rng: Mix, name: str) -> str:
    p = 1 + rng.below(len(name) - 1) if rng.below(4) else 0  # mostly the given name
    return name[:p] + TYPOS[name[p]] + name[p + 1 :]


def _traditional(name: str) -> str:
    return "".join(TRADITIONAL_FORMS.get(c, c) for c in name)


def credit_record(seed: int, index: int, core: Row) -> tuple[Row, str] | None:
    """CREDIT's record for CORE customer ``index`` and its truth cluster, or None when CREDIT has none."""
    slot = slot_of(index)
    if slot is None:
        return None
    rng = _stream(seed, index, 3)
    source_id = f"LN{index + 1:09d}"
    cluster = f"P{index + 1:09d}"
    if slot == CORPORATE_COPY:
        return _credit_shape({**core, "source_customer_id": source_id}), cluster
    if slot in (HARD_NEGATIVE, NEW):
        other_index = (HARD_NEGATIVE_BASE if slot == HARD_NEGATIVE else NEW_BASE) + index
        ident = _identity(seed, other_index)
        # A hard negative: same (common) name and gender, another birth date, everything else their own.
        while slot == HARD_NEGATIVE and (
            ident.gender != core["gender"] or ident.birth_date.isoformat() == core["birth_date"]
        ):
            other_index += 1  # the next index of this space belongs to no other slot: IDs stay unique
            ident = _identity(seed, other_index)
        other = _person(seed, other_index, None, ident)
        if slot == HARD_NEGATIVE:
            other["name"] = core["name"]
        row = {**other, "source_customer_id": source_id}
        if slot == HARD_NEGATIVE and (index // BLOCK) % 2:
            row["id_type"] = row["id_no"] = ""
        return _credit_shape(row), f"X{index + 1:09d}"
    row = {**core, "source_customer_id": source_id}
    if slot == CLEAN:
        row["mobile"] = "+86 " + row["mobile"]  # the credit system keeps the country code
    elif slot == TYPO:
        row["name"] = _mistype(rng, row["name"])
    elif slot == MOBILE_SWAP:
        row["mobile"] = _swap_digits(rng, row["mobile"])
    elif slot == OLD_PHONE:
        row["mobile"] = _mobile(rng)
    elif slot == TRADITIONAL:
        row["name"] = _traditional(row["name"])
    elif slot == PINYIN:
        if (index // BLOCK) % 2:
            row["name_en"] = pinyin_name(row["name"], upper=True)
        else:
            row["name"] = pinyin_name(row["name"])
    # A near-duplicate keyed in by hand: the ID left blank on every other block (always for MISSING_ID), so
    # some link by ID and the rest must be found by the matcher.
    if slot == MISSING_ID or (slot != CLEAN and (index // BLOCK) % 2 == 0):
        row["id_type"] = row["id_no"] = row["id_issue_date"] = row["id_expiry_date"] = ""
    return _credit_shape(row), cluster


def _credit_shape(row: Row) -> Row:
    """Only the credit system's columns."""
    return {c: row.get(c, "") for c in CREDIT_COLUMNS}


def planted_counts(customers: int) -> Counter[str]:
    """How many CREDIT records of each slot kind a feed of ``customers`` CORE customers has, and how many
    CREDIT near-duplicates have no ID (``no_id``): what the truth file plants, exactly."""
    counts: Counter[str] = Counter()
    for slot, kind in SLOTS.items():
        blocks = range(slot, customers, BLOCK)
        counts[kind] += len(blocks)
        if kind == MISSING_ID:
            counts["no_id"] += len(blocks)
        elif kind == HARD_NEGATIVE:
            counts["hard_negative_no_id"] += sum(1 for i in blocks if (i // BLOCK) % 2)
        elif kind in NEAR_DUPLICATES:
            counts["no_id"] += sum(1 for i in blocks if (i // BLOCK) % 2 == 0)
    return counts
