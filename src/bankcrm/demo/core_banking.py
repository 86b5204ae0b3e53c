"""Demo core-banking files: 24 months (by default) of accounts, loans, balances and vouchers (docs/ingest-formats.md).

Demand balances are the running sum of the vouchers generated for them, so balances files, month-end
accounts files and transactions files agree with each other. Nothing here touches the database.
"""

from __future__ import annotations

import bisect
import calendar
import operator
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path

from faker import Faker

from bankcrm.demo import leaving, paths

COLUMNS = {
    "accounts": "account_no cif_no product_code branch_code currency status open_date close_date rate maturity_date"
    " auto_renew balance",
    "loans": "contract_no cif_no product_code branch_code currency status amount drawn outstanding rate term_months"
    " start_date maturity_date repayment_method guarantee_type classification days_overdue",
    "balances": "account_no balance",
    "transactions": "voucher_no account_no txn_time amount direction channel counterparty_name counterparty_bank"
    " purpose_code summary",
}
_RANK = {"accounts": 0, "loans": 1, "transactions": 2, "balances": 3}  # load order inside one business date
_TERMS = {"TD-3M": 3, "TD-6M": 6, "TD-1Y": 12, "TD-2Y": 24, "TD-3Y": 36, "TD-5Y": 60, "LD-3Y": 36, "BAB-STD": 6}
_TERMS |= {"WM-R1-90D": 3, "WM-R2-180D": 6, "WM-R3-1Y": 12, "WM-R4-2Y": 24, "WM-R5-3Y": 36}
_TD_RATE = {"TD-3M": 125, "TD-6M": 145, "TD-1Y": 165, "TD-2Y": 185, "TD-3Y": 210, "TD-5Y": 220, "LD-3Y": 235}
# product: terms in months, amount (median, min, max) in yuan, base rate in bp, repayment methods, guarantees
_LOANS = {
    "PL-MORT": ((240, 300, 360), (1_200_000, 500_000, 3_000_000), 310, "EQUAL_INSTALMENT EQUAL_PRINCIPAL", "MORTGAGE"),
    "PL-CONS": ((12, 24, 36), (80_000, 20_000, 300_000), 350, "EQUAL_INSTALMENT INTEREST_FIRST", "CREDIT GUARANTEE"),
    "PL-BUS": ((12, 24, 36), (400_000, 100_000, 1_000_000), 345, "INTEREST_FIRST", "MORTGAGE GUARANTEE"),
    "CL-WC": ((12,), (5_000_000, 1_000_000, 20_000_000), 320, "INTEREST_FIRST BULLET", "GUARANTEE MORTGAGE CREDIT"),
    "CL-FA": ((36, 48, 60), (15_000_000, 5_000_000, 50_000_000), 350, "EQUAL_PRINCIPAL", "MORTGAGE GUARANTEE"),
    "CL-TF": ((6,), (1_500_000, 500_000, 5_000_000), 280, "BULLET", "PLEDGE"),  # secured by the goods' documents
}
_AREA = {"BJ": "1100", "SH": "3100", "GZ": "4400"}  # account numbers carry the city, as real ones do
_CITY = {"BJ": "北京市", "SH": "上海市", "GZ": "广州市"}
_BANKS = ("中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行", "招商银行", "浦发银行", "兴业银行")
_SHOPS = (  # channel, clearing house, merchants with their typical ticket in yuan
    ("WECHAT", "财付通", (("美团外卖", 45), ("瑞幸咖啡", 20), ("滴滴出行", 35), ("拼多多", 80), ("肯德基", 50))),
    ("MOBILE", "支付宝", (("京东商城", 300), ("淘宝", 150), ("携程旅行", 1200), ("中国移动", 100), ("12306", 400))),
    ("POS", "中国银联", (("永辉超市", 150), ("盒马鲜生", 200), ("中国石化", 350), ("海底捞", 400), ("优衣库", 300))),
)
_ABROAD = ("Pacific Rim Trading Ltd", "Evergreen Logistics Pte Ltd", "Nordic Components GmbH", "Sunrise Imports LLC")
_ABROAD_BANKS = ("HSBC Hong Kong", "Citibank N.A.", "DBS Bank Singapore", "Deutsche Bank AG")
_PENSION = "社会保险基金管理中心"
SOON = (1, 1, 2, 3, 5, 6, 7, 8, 10, 12, 14, 15, 17, 19, 21, 23, 24, 26, 28, 30)  # days from today to maturity
# Days since a maturity: at least one in each of the maturities page's 8 past weeks.
PAST = (2, 3, 5, 8, 10, 12, 15, 17, 19, 22, 24, 26, 29, 31, 34, 37, 40, 43, 46, 50, 53, 56, 59, 62)
_BAD = (12, 35, 95, 140, 200)  # days overdue at the last business date: 关注, 关注, 次级, 次级, 可疑
MONTHS = 24  # the history the demo delivers: two years, so every chart, tier move and segment has content


@dataclass(frozen=True)
class CoreFile:
    """One file written for ingest."""

    path: Path
    file_type: str  # "accounts" | "loans" | "balances" | "transactions"
    business_date: date


@dataclass(frozen=True)
class DemoCustomer:
    """What the generator needs to know of a customer."""

    cif_no: str
    kind: str  # "individual" | "corporate"
    branch_code: str  # org unit code of the customer's home unit
    managed: bool = True  # has an account manager (who follows up its maturities)


@dataclass
class _Txn:
    at: datetime
    amount: int  # fen
    direction: str
    channel: str
    purpose: str
    summary: str
    name: str = ""
    bank: str = ""
    mode: str = "cap"  # cap: shrink to the balance; must: top up first; whole: all or nothing; interest; sweep


@dataclass
class _Account:
    no: str
    cif: str
    product: str
    branch: str
    open: date
    principal: int  # fen: amount placed, card limit, or the usual demand balance (held before the window)
    rate: int | None = None  # basis points
    currency: str = "CNY"
    auto_renew: str = ""
    close: date | None = None
    dormant: bool = False
    walk: list[float] = field(default_factory=list)  # weekly factors from the window start: fund NAV, card usage
    flow: int = 0  # demand: monthly salary or turnover, fen
    payer: str = ""  # demand: employer or pension fund
    times: list[datetime] = field(default_factory=list)  # demand: postings and the balance after each
    running: list[int] = field(default_factory=list)
    early: bool = False  # closed before its maturity (a drained customer withdrew it)

    @property
    def term(self) -> int:
        return _TERMS.get(self.product, 0)

    def term_start(self, d: date) -> date:
        """When the term running on d began: a renewed deposit starts a new term on the day the last one matured."""
        start = self.open
        while self.term and self.auto_renew == "Y" and (matures := _add_months(start, self.term)) <= d:
            start = matures
        return start

    def maturity(self, d: date) -> date | None:
        """The end of the term running on d: always its start plus the product's term."""
        return _add_months(self.term_start(d), self.term) if self.term else None

    def balance(self, d: date, first: date) -> int:
        if self.close and self.close <= d:
            return 0
        if self.product.startswith("DD"):
            i = bisect.bisect_right(self.times, datetime.combine(d, time(23, 59, 59)))
            return self.running[i - 1] if i else (self.principal if self.open < first else 0)
        if self.walk:
            return round(self.principal * self.walk[min(len(self.walk) - 1, max(0, (d - first).days // 7))])
        if self.product.startswith("WM"):  # net asset value accrues at the expected yield (3 % when none is quoted)
            return self.principal + self.principal * (self.rate or 300) * (d - self.open).days // 3_650_000
        return self.principal


@dataclass
class _Loan:
    no: str
    cif: str
    product: str
    branch: str
    amount: int
    drawn: int
    rate: int  # basis points
    term: int
    start: date
    method: str
    guarantee: str
    overdue_since: date | None = None

    @property
    def maturity(self) -> date:
        return _add_months(self.start, self.term)

    def paid(self, d: date) -> int:
        """Instalments paid by d: none since the loan fell overdue."""
        if self.overdue_since and self.overdue_since <= d:
            d = self.overdue_since - timedelta(days=1)
        m = (d.year - self.start.year) * 12 + d.month - self.start.month
        return max(0, min(self.term, m - (_add_months(self.start, m) > d)))

    def remaining(self, k: int) -> int:
        i, n = self.rate / 120_000, self.term
        if self.method == "EQUAL_PRINCIPAL":
            return self.drawn * (n - k) // n
        if self.method == "EQUAL_INSTALMENT":
            return round(self.drawn * ((1 + i) ** n - (1 + i) ** k) / ((1 + i) ** n - 1))
        return self.drawn if k < n else 0

    def days_overdue(self, d: date) -> int:
        return (d - self.overdue_since).days if self.overdue_since and self.overdue_since <= d else 0


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return date(d.year + y, m + 1, min(d.day, calendar.monthrange(d.year + y, m + 1)[1]))


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def _classify(days: int) -> str:
    return "NORMAL" if days == 0 else "SPECIAL_MENTION" if days <= 90 else "SUBSTANDARD" if days <= 180 else "DOUBTFUL"


class _Bank:
    """The demo bank's book over the window [first, end], built customer by customer from one seeded stream."""

    def __init__(self, seed: int, first: date, end: date) -> None:
        self.r = random.Random(seed)
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.people = [fake.name() for _ in range(300)]
        self.firms = list(dict.fromkeys(fake.company() for _ in range(300)))
        self.first, self.end = first, end
        self.accounts: list[_Account] = []
        self.loans: list[_Loan] = []
        self.numbers: set[str] = set()
        self.kinds: dict[str, str] = {}
        self.managed: set[str] = set()
        self.weeks = (end - first).days // 7 + 2  # weekly factors cover every week of the window
        self.paths: dict[str, paths.Path] = {}  # individuals' wealth paths (corporates keep the steady default)
        self.staged: set[str] = set()  # accounts the maturities pages count on: never withdrawn early

    def _day(self, lo: date, hi: date) -> date:
        return lo + timedelta(days=self.r.randint(0, max(0, (hi - lo).days)))

    def _at(self, d: date, lo: int = 8, hi: int = 21) -> datetime:
        return datetime.combine(d, time(self.r.randint(lo, hi), self.r.randint(0, 59), self.r.randint(0, 59)))

    def _when(self, lo: date, hi: date, h0: int = 8, h1: int = 21) -> datetime:
        return self._at(self._day(lo, hi), h0, h1)

    def _fen(self, median: float, lo: int, hi: int, step: int = 1, spread: float = 0.9) -> int:
        """A log-normal amount in yuan between lo and hi, returned in fen rounded to step fen."""
        yuan = min(hi, max(lo, median * self.r.lognormvariate(0, spread)))
        return max(lo * 100, round(yuan * 100 / step) * step)

    def _number(self, prefix: str, length: int) -> str:
        while (no := prefix + "".join(self.r.choices("0123456789", k=length - len(prefix)))) in self.numbers:
            pass
        self.numbers.add(no)
        return no

    def _open(self, since: date, term: int = 0, fresh: float = 0.1, alive: float = 0.0) -> date:
        """Mostly before the window; a fixed-term product that does not roll over must still run inside it."""
        r, week = self.r, timedelta(days=7)
        if term and r.random() < alive:  # still running at the end of the window
            return self._day(max(since, _add_months(self.end, -term) + week), self.end - week)
        lo = max(since, _add_months(self.first, -term) + timedelta(days=1)) if term else since
        if lo >= self.first or r.random() < fresh:
            return self._day(max(lo, self.first), self.end - week)
        return self._day(max(lo, self.first - timedelta(days=5 * 365)), self.first - timedelta(days=1))

    def _add(self, c: DemoCustomer, product: str, day: date, fen: int, prefix: str, bp: int | None = None) -> _Account:
        length = 19 if c.kind == "individual" else self.r.choice((16, 17, 18))  # personal accounts are card numbers
        acc = _Account(self._number(prefix, length), c.cif_no, product, c.branch_code, day, fen, bp)
        self.accounts.append(acc)
        return acc

    def _loan(self, c: DemoCustomer, since: date, product: str) -> _Loan:
        r = self.r
        terms, (median, lo, hi), rate, methods, guarantees = _LOANS[product]
        term, amount = r.choice(terms), self._fen(median, lo, hi, 1_000_000)
        # short loans are mostly running ones (renewed year after year); long ones mostly predate the window
        start = self._open(since, term, 0.08, 0.7 if term <= 36 and product != "PL-MORT" else 0.0)
        drawn = amount * r.choice((10, 10, 8, 6)) // 10 if product == "CL-WC" else amount  # a credit line, partly used
        no = self._number(product[:2] + _AREA.get(c.branch_code[:2], "9900"), 18)
        how = r.choice(methods.split()), r.choice(guarantees.split())
        loan = _Loan(no, c.cif_no, product, c.branch_code, amount, drawn, rate + r.randint(0, 110), term, start, *how)
        self.loans.append(loan)
        return loan

    def customer(self, c: DemoCustomer) -> None:
        """Open this customer's accounts and loans."""
        r, area = self.r, _AREA.get(c.branch_code[:2], "9900")
        self.kinds[c.cif_no] = c.kind
        self.managed |= {c.cif_no} if c.managed else set()
        d, new = timedelta(days=1), r.random() < 0.06  # a few customers joined during the window
        lo, hi = (self.first + 3 * d, self.end - 20 * d) if new else (self.first - 3650 * d, self.first - 30 * d)
        since = self._day(lo, hi)
        if c.kind == "corporate":
            self._corporate(c, since, area)
        else:
            self._individual(c, since, area)

    def _individual(self, c: DemoCustomer, since: date, area: str) -> None:
        r, card = self.r, "6222" + area
        dd = self._add(c, "DD-CNY", since, self._fen(30_000, 1_000, 500_000), card, 20)
        dd.dormant, dd.flow = since < self.first and r.random() < 0.03, self._fen(12_000, 4_000, 80_000)
        dd.payer = r.choice(self.firms) if r.random() < 0.8 else _PENSION
        self.paths[c.cif_no] = paths.choose(r, len(self.paths), self.first, self.end)
        if r.random() < 0.6:
            amt, renew = self._fen(150_000, 10_000, 2_000_000, 100_000), r.choice("YYN")
            product = r.choice(("TD-3M", "TD-6M", "TD-1Y", "TD-1Y", "TD-2Y", "TD-3Y", "TD-5Y"))
            product = "LD-3Y" if amt >= 20_000_000 and r.random() < 0.4 else product  # 大额存单 start at 200k
            opened = self._open(since, 0 if renew == "Y" else _TERMS[product], alive=0.4)
            old = 25 if opened.year < self.end.year - 1 else 0  # older deposits were placed at higher rates
            self._add(c, product, opened, amt, card, _TD_RATE[product] + old).auto_renew = renew
        if r.random() < 0.35:
            product = r.choice(("WM-R1-90D", "WM-R2-180D", "WM-R3-1Y", "WM-R3-1Y", "WM-R4-2Y", "WM-R5-3Y"))
            opened, rate = self._open(since, _TERMS[product], alive=0.4), r.randint(280, 450)
            amt = self._fen(300_000, 50_000, 5_000_000, 100_000)
            self._add(c, product, opened, amt, "6229" + area, None if r.random() < 0.25 else rate)
        if r.random() < 0.25:
            product = r.choice(("FD-MMF", "FD-BOND", "FD-MIX", "FD-EQ"))
            drift, vol = {"FD-MMF": (0.0004, 0.0), "FD-BOND": (0.0006, 0.002)}.get(product, (0.001, 0.025))
            fund = self._add(c, product, self._open(since), self._fen(50_000, 1_000, 1_000_000, 100), "6230" + area)
            fund.walk = list(accumulate((1 + r.gauss(drift, vol) for _ in range(self.weeks)), operator.mul))
        if r.random() < 0.15:
            amt = self._fen(60_000, 10_000, 500_000, 100_000)
            self._add(c, r.choice(("INS-LIFE", "INS-ANN")), self._open(since), amt, "6231" + area)
        if r.random() < 0.4:
            limit = max(1_000_000, dd.flow * r.choice((2, 3, 4, 6)) // 1_000_000 * 1_000_000)
            cc = self._add(c, "CC-GOLD" if limit >= 5_000_000 else "CC-STD", self._open(since), limit, "6258" + area)
            cc.walk = [r.uniform(0.02, 0.25) for _ in range(self.weeks)]  # share of the limit in use, week by week
        if r.random() < 0.25:
            loan = self._loan(c, since, r.choices(("PL-MORT", "PL-CONS", "PL-BUS"), (50, 35, 15))[0])
            if loan.method != "INTEREST_FIRST":  # borrowers earn enough to pay the instalment
                dd.flow = max(dd.flow, round(loan.drawn * (loan.rate / 120_000 + 1 / loan.term) * 2.5))

    def _corporate(self, c: DemoCustomer, since: date, area: str) -> None:
        r = self.r
        dd = self._add(c, "DD-CNY", since, self._fen(2_000_000, 200_000, 30_000_000), area, 20)
        dd.flow = self._fen(1_500_000, 200_000, 20_000_000)
        if r.random() < 0.5:  # a US-dollar account for trade, or a second (general) CNY account
            usd = r.random() < 0.6
            product, rate = ("DD-USD", 5) if usd else ("DD-CNY", 20)
            second = self._add(c, product, self._open(since), self._fen(100_000, 5_000, 3_000_000), area, rate)
            second.currency, second.flow = "USD" if usd else "CNY", self._fen(60_000, 5_000, 1_000_000)
        if r.random() < 0.5:
            product, renew = r.choice(("TD-3M", "TD-6M", "TD-1Y", "TD-1Y", "TD-2Y")), r.choice("YN")
            opened = self._open(since, 0 if renew == "Y" else _TERMS[product], alive=0.4)
            amount = self._fen(3_000_000, 500_000, 50_000_000, 1_000_000)
            self._add(c, product, opened, amount, area, _TD_RATE[product] + 10).auto_renew = renew  # negotiated rate
        if r.random() < 0.3:
            amount = self._fen(2_000_000, 500_000, 10_000_000, 1_000_000)
            self._add(c, "BAB-STD", self._open(since, 6, alive=0.7), amount, area)
        for _ in range(r.choice((1, 1, 2)) if r.random() < 0.6 else 0):
            self._loan(c, since, r.choices(("CL-WC", "CL-FA", "CL-TF"), (50, 25, 25))[0])

    def _mature_on(self, acc: _Account, target: date) -> None:
        """Move the account's open date so that the term it is in ends on target (or as near as a term can)."""
        if _add_months(_add_months(target, -acc.term), acc.term) != target:  # a day the term cannot reach
            acc.product = "TD-1Y" if acc.product[:2] in ("TD", "LD") else "WM-R3-1Y"
            acc.rate = _TD_RATE["TD-1Y"] if acc.product == "TD-1Y" else acc.rate
        # The maturity comes from the open date: the term in progress began one term before it, and
        # a renewed deposit rolled over up to two years' worth of terms before that, each from the
        # previous maturity (a term that would not end on its start's day stops the walk back).
        acc.open = _add_months(target, -acc.term)
        for _ in range(max(1, 24 // acc.term) - 1 if acc.auto_renew == "Y" else 0):
            if _add_months(earlier := _add_months(acc.open, -acc.term), acc.term) != acc.open:
                break
            acc.open = earlier

    def stage(self, today: date) -> None:
        """Maturities in the coming month and (closed) in the past weeks, a few loans gone bad, closures."""
        r = self.r
        due = [a for a in self.accounts if a.product[:2] in ("TD", "LD", "WM")]
        soon = r.sample(due, min(len(due), len(SOON)))
        for acc, k in zip(soon, SOON, strict=False):
            self._mature_on(acc, today + timedelta(days=k))
        picked = {a.no for a in soon}
        self.staged |= picked
        followed = [a for a in due if a.cif in self.managed and a.no not in picked]  # someone records the outcome
        for acc, k in zip(r.sample(followed, min(len(followed), len(PAST))), PAST, strict=False):
            acc.auto_renew = "N" if acc.auto_renew else ""  # it closed at maturity: its follow-up has an outcome
            self.staged.add(acc.no)
            self._mature_on(acc, today - timedelta(days=k))
        short = [ln for ln in self.loans if ln.term <= 36 and ln.product != "PL-MORT"]
        for ln, k in zip(r.sample(short, min(2, len(short))), (6, 19), strict=False):
            ln.start = _add_months(today + timedelta(days=k), -ln.term)
        bad = [ln for ln in self.loans if ln.maturity > today + timedelta(days=91)]
        bad = [ln for ln in bad if ln.start < self.end - timedelta(days=240) and ln.method != "BULLET"]  # has dues
        r.shuffle(bad)
        rank = {ln.no: [x.product for x in bad[:i]].count(ln.product) for i, ln in enumerate(bad)}  # mix products
        for ln, days in zip(sorted(bad, key=lambda ln: rank[ln.no]), _BAD, strict=False):
            ln.overdue_since = self.end - timedelta(days=days)
        for acc in self.accounts:  # what does not roll over closes at maturity
            if acc.term and acc.auto_renew != "Y" and (matures := acc.maturity(acc.open)) and matures <= self.end:
                acc.close = matures
        self._drain()

    def _drain(self) -> None:
        """A drained customer withdraws the deposits, wealth products and funds still running on the drain day."""
        for acc in self.accounts:
            day = self.paths[acc.cif].leaves_on if acc.cif in self.paths else None
            kind = acc.product.split("-")[0]
            if day is None or kind not in ("TD", "LD", "WM", "FD") or acc.no in self.staged or acc.open >= day:
                continue
            start = leaving.fade_start(self.paths[acc.cif])
            lapse = leaving.not_renewed_on(self.paths[acc.cif], acc.maturity(start)) if start and acc.term else None
            if lapse and acc.open < lapse and (acc.close is None or acc.close > lapse):
                acc.close = lapse  # matured in the fade and was not renewed: the money follows the rest out
            if acc.close is None or acc.close > day:
                acc.close, acc.early = day, True

    def post_all(self) -> list[tuple[str, _Txn]]:
        """Vouchers of every demand account over the window, posted in time order against its balance."""
        holdings: dict[str, tuple[list[_Account], list[_Loan]]] = {cif: ([], []) for cif in self.kinds}
        for acc in self.accounts:
            holdings[acc.cif][0].append(acc)
        for ln in self.loans:
            holdings[ln.cif][1].append(ln)
        out: list[tuple[str, _Txn]] = []
        for cif, (accs, loans) in holdings.items():
            for dd in (a for a in accs if a.product.startswith("DD") and not a.dormant):
                main = dd is accs[0]  # the first demand account is the settlement account
                txns = self._month_txns(dd, self.kinds[cif] == "individual", main)
                txns += self._linked(dd, accs, loans) if main else []
                out += [(dd.no, t) for t in self._post(dd, txns)]
        return out

    def _month_txns(self, dd: _Account, person: bool, main: bool) -> list[_Txn]:
        """The customer's own activity month by month: pay, shopping, transfers, cash, tax, fees, interest."""
        r, out, path = self.r, list[_Txn](), self.paths.get(dd.cif, paths.Path())
        names, banks = (_ABROAD, _ABROAD_BANKS) if dd.currency == "USD" else (self.firms, _BANKS)
        month = max(self.first, dd.open).replace(day=1)
        while month <= self.end:
            lo, hi = max(month, self.first, dd.open), min(_month_end(month), self.end)
            frac, month = ((hi - lo).days + 1) / calendar.monthrange(lo.year, lo.month)[1], hi + timedelta(days=1)
            if person:
                payday = lo.replace(day=10 + len(dd.payer) % 10)  # each payer has its own pay day
                moved = path.trim_on is not None and payday >= path.trim_on  # the salary is paid elsewhere now
                if lo <= payday <= hi and not moved:
                    pension = dd.payer == _PENSION
                    amount = dd.flow // 3 if pension else dd.flow + r.randint(-50_000, 50_000)
                    pay = ("OTHER", "养老金") if pension else ("SALARY", "工资")
                    bank = _BANKS[len(dd.payer) % len(_BANKS)]
                    when = self._at(payday, 9, 10)  # drawn even when paid elsewhere: later customers stay the same
                    if not leaving.paid_elsewhere(path, payday):
                        out.append(_Txn(when, amount, "C", "BATCH", *pay, dd.payer, bank))
                out += self._seasons(dd, lo, hi)
                for _ in range(round(r.randint(3, 15) * frac)):
                    channel, clearing, shops = r.choice(_SHOPS)
                    shop, ticket = r.choice(shops)
                    ticket *= (dd.flow / 1_200_000) ** 0.5  # richer customers buy dearer
                    amt = self._fen(ticket, 1, 20_000, 1, 0.5)
                    out.append(_Txn(self._when(lo, hi), amt, "D", channel, "CONSUME", "消费", shop, clearing))
                for _ in range(round(r.randint(0, 4) * frac)):
                    amt, channel = self._fen(dd.flow / 500, 100, 50_000, 100), r.choice(("MOBILE", "ONLINE", "COUNTER"))
                    who, bank = r.choice(self.people), r.choice(_BANKS)
                    out.append(_Txn(self._when(lo, hi), amt, r.choice("DC"), channel, "TRANSFER", "转账", who, bank))
                if r.random() < 0.3 * frac:
                    out.append(_Txn(self._when(lo, hi), r.choice((5, 10, 20, 30)) * 10_000, "D", "ATM", "CASH", "取现"))
            else:
                for _ in range(round((r.randint(8, 30) if main else r.randint(1, 3)) * frac)):
                    way, amt = r.choice("CD"), self._fen(dd.flow / (1500 if main else 200), 100, 50_000_000)
                    text = "货款" if way == "C" else r.choice(("采购款", "货款", "服务费", "运费"))
                    at, who, bank = self._when(lo, hi, 9, 17), r.choice(names), r.choice(banks)
                    out.append(_Txn(at, amt, way, "ONLINE", "TRANSFER", text, who, bank))
                if main and lo <= (payday := lo.replace(day=15)) <= hi:
                    payroll = dd.flow // 8 + r.randint(0, dd.flow // 80)
                    tax = f"国家税务总局{_CITY.get(dd.branch[:2], '')}税务局"
                    out.append(_Txn(self._at(payday, 9, 11), payroll, "D", "BATCH", "SALARY", "代发工资"))
                    out.append(_Txn(self._at(payday), dd.flow // 30, "D", "ONLINE", "TAX", "税款", tax, "国家金库"))
                for _ in range(round(r.randint(0, 2) * frac)):
                    out.append(_Txn(self._when(lo, hi, 9, 16), r.randint(500, 20_000), "D", "COUNTER", "FEE", "手续费"))
            if main and lo <= (day := lo.replace(day=26)) <= hi:  # money moved to or from the customer's other banks
                out.append(_Txn(self._at(day, 10, 16), 0, "D", "MOBILE", "TRANSFER", "转账", mode="sweep"))
            if lo.month % 3 == 0 and lo <= (day := lo.replace(day=21)) <= hi:  # demand interest is paid quarterly
                out.append(_Txn(self._at(day, 1, 2), 0, "C", "BATCH", "INTEREST", "利息", mode="interest"))
        return out

    def _seasons(self, dd: _Account, lo: date, hi: date) -> list[_Txn]:
        """The year-end bonus before Chinese New Year, red packets and shopping in its week, and the path's events."""
        r, out, path = self.r, list[_Txn](), self.paths.get(dd.cif, paths.Path())
        if dd.payer != _PENSION and (day := paths.year_end_bonus(lo, hi)):
            bonus = round(dd.flow * r.uniform(1, 3))
            bank = _BANKS[len(dd.payer) % len(_BANKS)]
            out.append(_Txn(self._at(day, 9, 10), bonus, "C", "BATCH", "SALARY", "年终奖", dd.payer, bank))
        if day := paths.spring_festival(lo, hi):
            for k in range(r.randint(2, 6)):  # red packets to family, in the days either side of New Year's Eve
                when, amt = self._at(day + timedelta(days=k % 3 - 1)), self._fen(dd.flow / 1_000, 200, 20_000, 10_000)
                out.append(_Txn(when, amt, "D", "WECHAT", "TRANSFER", "红包", r.choice(self.people), "财付通"))
            for _ in range(r.randint(2, 5)):
                amt = self._fen(dd.flow / 2_000, 100, 30_000, 100, 0.5)
                when = self._when(day - timedelta(days=10), day)
                out.append(_Txn(when, amt, "D", "POS", "CONSUME", "年货", "永辉超市", "中国银联"))
        if path.windfall_on and lo <= path.windfall_on <= hi:
            out.append(_Txn(self._at(path.windfall_on, 0, 1), path.windfall, "C", "COUNTER", "TRANSFER", "售房款"))
        if path.trim_on and lo <= path.trim_on <= hi:
            who, bank = r.choice(self.people), r.choice(_BANKS)
            out.append(_Txn(self._at(path.trim_on, 5, 7), 0, "D", "MOBILE", "TRANSFER", "转出", who, bank, "trim"))
        for day, share in leaving.transfer_shares(path, lo, hi):  # to the leaver's own account at the other bank
            at, n = datetime.combine(day, time(10, 30)), sum(map(ord, dd.cif))
            who, bank = self.people[n % len(self.people)], _BANKS[n % len(_BANKS)]
            out.append(_Txn(at, share, "D", "MOBILE", "TRANSFER", "转出", who, bank, "fade"))
        if path.drain_on and lo <= path.drain_on <= hi:  # after the early withdrawals (credited at 2-4 a.m.)
            who, bank = r.choice(self.people), r.choice(_BANKS)
            out.append(_Txn(self._at(path.drain_on, 5, 7), 0, "D", "MOBILE", "TRANSFER", "转出", who, bank, "drain"))
        return out

    def _linked(self, dd: _Account, accs: list[_Account], loans: list[_Loan]) -> list[_Txn]:
        """Money moving between the settlement account and the customer's other holdings."""
        out, own = list[_Txn](), "本行"
        for acc in accs:
            kind = acc.product.split("-")[0]
            if kind in ("TD", "LD", "WM", "FD", "INS") and self.first <= acc.open and acc.open > dd.open:
                text = {"WM": "购买理财", "FD": "基金申购", "INS": "保险缴费"}.get(kind, "转存定期")
                purpose = "TRANSFER" if kind in ("TD", "LD") else "OTHER" if kind == "INS" else "WEALTH"
                out.append(_Txn(self._at(acc.open), acc.principal, "D", "MOBILE", purpose, text, mode="whole"))
            if acc.close and acc.close >= self.first and kind != "BAB":
                gain = acc.balance(acc.close - timedelta(days=1), self.first) - acc.principal
                gain += acc.principal * (acc.rate or 0) * acc.term // 120_000 if kind in ("TD", "LD") else 0
                text, purpose = ("理财到期", "WEALTH") if kind == "WM" else ("定期到期", "TRANSFER")
                if acc.early:  # withdrawn early: a deposit earns demand interest only (left out), a fund is sold
                    gain -= acc.principal * (acc.rate or 0) * acc.term // 120_000 if kind in ("TD", "LD") else 0
                    early = {"WM": ("理财赎回", "WEALTH"), "FD": ("基金赎回", "WEALTH")}
                    text, purpose = early.get(kind, ("提前支取", purpose))
                out.append(_Txn(self._at(acc.close, 2, 4), acc.principal + gain, "C", "BATCH", purpose, text, own))
            day = max(self.first, acc.open).replace(day=1)
            while kind == "CC" and (day := _add_months(day, 1).replace(day=20)) <= self.end:  # card bill, paid monthly
                amt = acc.balance(day, self.first)
                out.append(_Txn(self._at(day), amt, "D", "MOBILE", "OTHER", "信用卡还款", "本行信用卡中心", own))
        for ln in loans:
            if self.first <= ln.start and ln.product != "PL-MORT":  # a mortgage is paid to the seller, not the borrower
                out.append(_Txn(self._at(ln.start, 10, 11), ln.drawn, "C", "BATCH", "LOAN", "贷款发放", own))
            for m in range(ln.paid(self.first - timedelta(days=1)) + 1, ln.paid(self.end) + 1):
                interest = ln.remaining(m - 1) * ln.rate // 120_000 * (ln.term if ln.method == "BULLET" else 1)
                amt = ln.remaining(m - 1) - ln.remaining(m) + (0 if ln.method == "BULLET" and m < ln.term else interest)
                due = self._at(_add_months(ln.start, m), 6, 7)
                out += [_Txn(due, amt, "D", "BATCH", "LOAN", "还款", own, mode="must")] if amt > 0 else []
        return out

    def _held(self, cif: str, d: date) -> int:
        """What the customer holds on d beyond its demand account: deposits, wealth, funds, insurance."""
        kinds = ("TD", "LD", "WM", "FD", "INS")
        held = (a for a in self.accounts if a.cif == cif and a.product.split("-")[0] in kinds and a.open <= d)
        return sum(a.balance(d, self.first) for a in held)

    def _post(self, dd: _Account, txns: list[_Txn]) -> list[_Txn]:
        """Apply vouchers in time order; the balance never goes below zero."""
        r, person = self.r, self.kinds[dd.cif] == "individual"
        bal, base, posted = (dd.principal if dd.open < self.first else 0), max(dd.principal, dd.flow), []
        path = self.paths.get(dd.cif, paths.Path())
        if dd.open >= self.first:  # a new account starts with a deposit at the counter
            opening = self._fen(dd.flow / 200, 100, 5_000_000, 100)
            txns.append(_Txn(self._at(dd.open, 9, 10), opening, "C", "COUNTER", "CASH", "开户存入", mode="whole"))
        for t in sorted(txns, key=lambda t: t.at):
            if t.at.date() < dd.open:  # a loan older than the customer's account here is repaid elsewhere
                continue
            if t.mode == "interest":
                t.amount = bal * (dd.rate or 0) // 40_000
            elif t.mode == "sweep":  # surplus goes elsewhere, a low balance is refilled: balances stay plausible
                t.name, t.bank = r.choice(self.people if person else self.firms), r.choice(_BANKS)
                level = path.level(base, t.at.date(), self.first, self.end)
                level = bal if path.trim_on and t.at.date() >= path.trim_on else level  # left where it was put
                high, low = bal > level * 3 // 2, bal < level // (4 if path.growth == 0 else 1)
                low = low and not leaving.fading(path, t.at.date())  # a leaver does not bring money back in
                t.direction = "D" if high else "C"
                t.amount = (bal - level) * r.randint(5, 9) // 10 if high else level * r.randint(3, 8) // 10 * low
            elif t.mode == "fade":  # what is above the fading level, at least a share (per mille) of the balance
                level = path.level(base, t.at.date(), self.first, self.end)
                t.amount = max(bal - level, bal * t.amount // 1000)
            elif t.mode == "drain":
                t.amount = round(bal * path.drain_share)
            elif t.mode == "trim":
                t.amount = min(bal, max(0, bal + self._held(dd.cif, t.at.date()) - paths.TRIM_TO))
            elif t.direction == "D" and t.amount > bal:
                if t.mode == "must":  # the customer moves money in before a repayment is due
                    at = max(dd.times[-1] if dd.times else t.at, t.at - timedelta(hours=1))
                    top = t.amount - bal + r.randint(10, 500) * 10_000
                    who = r.choice(self.people if person else self.firms)
                    posted.append(_Txn(at, top, "C", "MOBILE", "TRANSFER", "转账", who, r.choice(_BANKS)))
                    bal += top
                    dd.times.append(at)
                    dd.running.append(bal)
                else:
                    t.amount = 0 if t.mode == "whole" or bal < 10_000 else bal * r.randint(10, 60) // 100
            if t.amount <= 0:
                continue
            bal += t.amount if t.direction == "C" else -t.amount
            posted.append(t)
            dd.times.append(t.at)
            dd.running.append(bal)
        return posted
