"""The locust users of bench/load.py: the demo bank's staff signing in and working through the web pages.

Run by bench/load.py (``locust -f bench/load_users.py --headless ...``), never by the tests. Every user
signs in through the login form (the CSRF token from the page), then works with think time between
pages. The mix of users is fixed from ``BANKCRM_LOAD_USERS`` so that each class knows how many of its
kind there are: identity edits and approvals are partitioned between the users (see Maker and Checker),
so the scenario itself never files a request for a field that is already waiting, nor decides a
request twice — a 4xx or 5xx in the results is the server's, not a collision the scenario made up.
"""

from __future__ import annotations

import itertools
import os
import random
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from locust import HttpUser, events, task
from locust.clients import ResponseContextManager
from locust.env import Environment

USERS = int(os.environ.get("BANKCRM_LOAD_USERS", "50"))
SEED = int(os.environ.get("BANKCRM_LOAD_SEED", "2026"))
THINK = (float(os.environ.get("BANKCRM_LOAD_THINK_MIN", "3")), float(os.environ.get("BANKCRM_LOAD_THINK_MAX", "15")))
PASSWORD = "demo1234"  # noqa: S105 - the demo bank's documented password

# The mix: front-line makers 60 %, checkers 15 % (at least 2), back-office readers the rest.
N_CHECKERS = max(2, round(USERS * 0.15))
N_MAKERS = round(USERS * 0.6)
N_READERS = USERS - N_CHECKERS - N_MAKERS
# Makers cycle through these logins; only Beijing makers file identity changes, because the demo's
# checkers (manager, ops) sit in the Beijing branch and could not approve Shanghai's.
MAKER_LOGINS = ("am1", "lobby", "am2", "teller")
BEIJING_MAKERS = frozenset({"am1", "lobby", "teller"})
N_IDENTITY_MAKERS = sum(MAKER_LOGINS[i % len(MAKER_LOGINS)] in BEIJING_MAKERS for i in range(N_MAKERS))

SEARCHES = ("王", "李", "张", "刘", "陈", "杨", "wang", "li", "zhang", "chen", "zl", "科技", "有限公司", "北京")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉萍红玲"
EMPLOYERS = ("北京星辰科技有限公司", "华夏建设集团", "朝阳区第一中学", "中关村软件园", "国贸物业管理有限公司")
POSITIONS = ("经理", "工程师", "教师", "会计", "销售主管", "职员")
SCOPES = ("软件开发；技术服务", "货物进出口；技术进出口", "餐饮服务；食品销售", "建筑工程施工")

CIF_LINK = re.compile(r'href="/customers/(\d{11})"')
PAGES = re.compile(r'class="page-link">\d+ / (\d+)<')  # "1 / 7" between Previous and Next
APPROVAL_LINK = re.compile(r'href="/approvals/(\d+)"')
_counters: dict[str, itertools.count[int]] = {}


@events.init.add_listener
def _only_this_machine(environment: Environment, **_kwargs: Any) -> None:
    """The load goes to a server on 127.0.0.1 and nowhere else."""
    if urlsplit(environment.host or "").hostname != "127.0.0.1":
        raise SystemExit(f"bench/load_users.py only targets 127.0.0.1, not {environment.host!r}")


def _next_index(kind: str) -> int:
    """0, 1, 2, ... per kind of user: all users run in this one locust process."""
    return next(_counters.setdefault(kind, itertools.count()))


class FormValues(HTMLParser):
    """What a browser would post for one form: inputs, checked boxes, selected options, text areas."""

    def __init__(self, form_id: str) -> None:
        """Collect the fields of the form with this id."""
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self._select: str | None = None
        self._first: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Track the form and its fields."""
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.values[name] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select" and name:
            self._select, self._first = name, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first is None:
                self._first = value
            if "selected" in a:
                self.values[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data: str) -> None:
        """Text area content."""
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        """A select with nothing selected posts its first option, as a browser does."""
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            self.values.setdefault(self._select, self._first or "")
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_values(html: str, form_id: str) -> dict[str, str]:
    """The values a browser would post for the form with this id."""
    parser = FormValues(form_id)
    parser.feed(html)
    return parser.values


class Staff(HttpUser):
    """A signed-in member of staff; subclasses say which logins and what they do."""

    abstract = True
    logins: tuple[str, ...] = ()

    def wait_time(self) -> float:
        """Think time between pages, from the user's own seeded generator."""
        return self.rng.uniform(*THINK)

    def on_start(self) -> None:
        """Pick this user's login and seed, sign in, see the first page of the customer list."""
        kind = type(self).__name__
        self.index = _next_index(kind)
        self.username = self.logins[self.index % len(self.logins)]
        self.rng = random.Random(f"{SEED}-{kind}-{self.index}")
        self.csrf, self.signed_in, self.customers, self.next_page = "", False, [], 1
        self.signed_out()

    def signed_out(self) -> bool:
        """Whether this turn went to signing in (again), as a person does after a failed sign-in or a lost session."""
        if self.signed_in:
            return False
        self.sign_in()
        if self.signed_in and not self.customers:
            self.list_page()
        return True

    # --- requests, each checked for what a browser user would notice ------------------------------------

    def page(self, path: str, name: str, **kwargs: Any) -> str:
        """GET a page; a redirect to the sign-in page or any error status is a failure."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True, **kwargs) as r:
            return self._check(r, 200)

    def post(self, path: str, name: str, data: dict[str, str], expect: int = 303) -> str:
        """POST a form; returns the Location it redirects to (the next page is fetched by the caller)."""
        with self.client.post(path, name=name, data=data, allow_redirects=False, catch_response=True) as r:
            self._check(r, expect)
            return str(r.headers.get("location", ""))

    def _check(self, r: ResponseContextManager, expect: int) -> str:
        if r.status_code != expect:
            where = r.headers.get("location", "")
            if where.startswith("/login"):
                self.signed_in = False
            r.failure(f"{r.status_code} (expected {expect}) {where} {r.error or ''} {_text(r)!r}")
            return ""
        r.success()
        return str(r.text)

    def follow(self, location: str, name: str) -> str:
        """The page a form redirected to."""
        url = urlsplit(location)
        return self.page(url.path + (f"?{url.query}" if url.query else ""), name)

    # --- what every member of staff does --------------------------------------------------------------

    def sign_in(self) -> None:
        """The login form: GET for the prelogin CSRF token, POST the credentials, land on the home page."""
        self.client.cookies.clear()
        html = self.page("/login", "GET /login")
        token = _hidden(html, "csrf_token")
        location = self.post(
            "/login", "POST /login", {"username": self.username, "password": PASSWORD, "csrf_token": token, "next": "/"}
        )
        if location:
            home = self.follow(location, "GET / (home)")
            self.csrf = _hidden(home, "csrf_token")
            self.signed_in = bool(self.csrf)

    def list_page(self) -> None:
        """The next page of the customer list; the customers on it become ones this user works with."""
        html = self.page("/customers", "GET /customers?page=", params={"page": str(self.next_page)})
        self.customers = sorted(set(self.customers) | set(CIF_LINK.findall(html)))
        match = PAGES.search(html)
        self.next_page = self.next_page % int(match.group(1)) + 1 if match else 1

    def customer(self) -> str | None:
        """A random customer in scope."""
        return self.rng.choice(self.customers) if self.customers else None

    @task(40)
    def search(self) -> None:
        """The top-bar search, then the customer list filtered the same way."""
        if self.signed_out():
            return
        q = self.rng.choice(SEARCHES)
        self.page("/search", "GET /search?q=", params={"q": q})
        if self.rng.random() < 0.5:
            self.page("/customers", "GET /customers?q=", params={"q": q})

    @task(50)
    def view_customer(self) -> None:
        """Open a customer, then their 360° view; now and then the next page of vouchers."""
        if self.signed_out():
            return
        cif = self.customer()
        if cif is None:
            return
        self.page(f"/customers/{cif}", "GET /customers/{cif}")
        self.page(f"/customers/{cif}/360", "GET /customers/{cif}/360")
        if self.rng.random() < 0.2:
            self.page(
                f"/customers/{cif}/360/transactions",
                "GET /customers/{cif}/360/transactions",
                params={"page": "2"},
                headers={"HX-Request": "true"},
            )

    @task(10)
    def browse(self) -> None:
        """Page through the customer list."""
        if self.signed_out():
            return
        self.list_page()

    @task(10)
    def home(self) -> None:
        """Back to the home page (figures for the role)."""
        if self.signed_out():
            return
        self.page("/", "GET / (home)")

    @task(1)
    def sign_in_again(self) -> None:
        """Sign out (the logout form) and in again, as at a break."""
        if self.signed_out():
            return
        self.post("/logout", "POST /logout", {"csrf_token": self.csrf})
        self.signed_in = False
        self.signed_out()


class Maker(Staff):
    """Front-line staff who enter changes: ordinary fields at once, a new name through approval.

    Maker i files name changes only for customers whose CIF number is i modulo the number of
    Beijing makers, and only when the customer's page shows no name change waiting: no two
    makers ever race for the same pending field.
    """

    fixed_count = N_MAKERS
    logins = MAKER_LOGINS

    def on_start(self) -> None:
        """Sign in; Beijing makers also get their share of name changes."""
        super().on_start()
        self.identity_slot: int | None = None
        if self.username in BEIJING_MAKERS:
            self.identity_slot = _next_index("identity")

    def _edit(self, cif: str, change: Callable[[dict[str, str]], None]) -> None:
        """The edit form as a browser fills it in: GET, change some fields, POST, follow the redirect."""
        html = self.page(f"/customers/{cif}/edit", "GET /customers/{cif}/edit")
        values = form_values(html, "edit-form")
        if not values:
            return
        change(values)
        location = self.post(f"/customers/{cif}/edit", "POST /customers/{cif}/edit", values)
        if location:
            self.follow(location, "GET /customers/{cif}")

    @task(30)
    def edit_customer(self) -> None:
        """Change ordinary fields (employer and position; business scope of a company)."""
        if self.signed_out():
            return
        cif = self.customer()
        if cif is not None:
            self._edit(cif, self._ordinary)

    def _ordinary(self, values: dict[str, str]) -> None:
        if "employer" in values:
            values.update(employer=self.rng.choice(EMPLOYERS), position=self.rng.choice(POSITIONS))
        else:
            values["business_scope"] = self.rng.choice(SCOPES)

    @task(20)
    def change_name(self) -> None:
        """A customer's new name, filed for approval (the customer's page first: nothing waiting)."""
        if self.signed_out():
            return
        if self.identity_slot is None:
            return
        mine = [c for c in self.customers if int(c) % N_IDENTITY_MAKERS == self.identity_slot]
        if not mine:
            return
        cif = self.rng.choice(mine)
        detail = self.page(f"/customers/{cif}", "GET /customers/{cif}")
        if 'id="pending"' in detail:
            return  # the previous change still waits for a checker
        name = self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
        self._edit(cif, lambda values: values.update(name=name))


class Checker(Staff):
    """Branch manager and operations manager: decide the requests waiting in the inbox.

    Checker i decides only requests whose id is i modulo the number of checkers.
    """

    fixed_count = N_CHECKERS
    logins = ("manager", "ops")

    @task(60)
    def approve(self) -> None:
        """The inbox, one waiting request of this checker's share, approve it."""
        if self.signed_out():
            return
        inbox = self.page("/approvals", "GET /approvals")
        ids = [int(i) for i in APPROVAL_LINK.findall(inbox)]
        mine = sorted({i for i in ids if i % N_CHECKERS == self.index})
        if not mine:
            return
        rid = mine[0]
        html = self.page(f"/approvals/{rid}", "GET /approvals/{id}")
        values = form_values(html, "decision-form")
        if not values:
            return
        values["decision"] = "approve"
        location = self.post(f"/approvals/{rid}", "POST /approvals/{id}", values)
        if location:
            self.follow(location, "GET /approvals/{id}")

    @task(10)
    def export(self) -> None:
        """The customer list as CSV."""
        if self.signed_out():
            return
        _export(self)


class Reader(Staff):
    """Product and risk managers: bank-wide readers who search, view and export lists."""

    fixed_count = N_READERS
    logins = ("product", "risk")

    @task(15)
    def export(self) -> None:
        """The customer list (sometimes filtered) as CSV."""
        if self.signed_out():
            return
        _export(self)


def _export(user: Staff) -> None:
    params = {"q": user.rng.choice(("", "", *SEARCHES)), "kind": "", "status": ""}
    path, name = "/customers/export.csv", "GET /customers/export.csv"
    with user.client.get(path, name=name, params=params, allow_redirects=False, catch_response=True) as r:
        if r.status_code != 200 or not r.headers.get("content-type", "").startswith("text/csv"):
            r.failure(f"{r.status_code} {r.headers.get('content-type')} {r.error or ''} {_text(r)!r}")


def _text(r: ResponseContextManager) -> str:
    """The start of an error page's main text (the page title and message, not the layout)."""
    text = r.text or ""
    start = text.find('class="page-body"')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text[start if start >= 0 else 0 :]))[:200]


def _hidden(html: str, name: str) -> str:
    """The value of the first hidden input with this name."""
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else ""
