"""What a domain package declares about itself: one ``Module`` read by the app, the CLI and the migrations.

Routers and job entry points are named as ``"package.module:attribute"`` strings so a declaration is
cheap to import (the CLI reads permissions and jobs without loading FastAPI) and kit stays HTTP-free.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Permission:
    """A right the module checks, with its labels and the roles that get it when it is first installed."""

    code: str
    label_en: str
    label_zh: str
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class NavEntry:
    """A link in the side navigation, shown to whoever holds ``permission`` (None: everyone signed in)."""

    path: str
    label: str  # an N_() message id, translated when the page renders
    permission: str | None
    order: int


@dataclass(frozen=True)
class CustomerTab:
    """A tab on the customer page, filled by an htmx GET of ``path`` (``{cif_no}`` is substituted)."""

    key: str
    label: str  # N_() message id
    path: str
    permission: str
    order: int
    kinds: tuple[str, ...] = ("individual", "corporate")


@dataclass(frozen=True)
class HomeCard:
    """A home-page card: ``entry`` gives its figures for a principal; shown to ``roles`` holding ``permission``."""

    key: str
    label: str  # N_() message id
    entry: str
    template: str
    permission: str | None
    order: int
    roles: tuple[str, ...] = ()  # empty: every role holding the permission
    dated: bool = False  # the entry takes the bank's day too: entry(db, principal, today: kit.time.BankDay)


@dataclass(frozen=True)
class Job:
    """A batch step: ``entry(db, settings, **options)`` runs it; ``after`` names the steps it must follow."""

    code: str
    label_en: str
    label_zh: str
    entry: str
    after: tuple[str, ...] = ()
    nightly: bool = True


@dataclass(frozen=True)
class Module:
    """Everything central that one domain package contributes; registered by one line in bankcrm.modules."""

    name: str
    api_routers: tuple[str, ...] = ()
    view_routers: tuple[str, ...] = ()
    navigation: tuple[NavEntry, ...] = ()
    permissions: tuple[Permission, ...] = ()
    customer_tabs: tuple[CustomerTab, ...] = ()
    home_cards: tuple[HomeCard, ...] = ()
    jobs: tuple[Job, ...] = ()
    reference_data: tuple[str, ...] = field(default=())  # code-table categories (reference_data/NAME.csv) it owns
    tables: tuple[str, ...] = ()  # the tables it owns: defines, and is the first place to look for their writes
    writes: tuple[str, ...] = ()  # other modules' tables it also writes, declared so the check can allow them
