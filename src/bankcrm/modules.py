"""The module registry: the one place a domain package is registered, read by the app, CLI and migrations."""

from __future__ import annotations

from functools import cache
from importlib import import_module
from typing import Any

from bankcrm.access.module import MODULE as ACCESS
from bankcrm.assignments.module import MODULE as ASSIGNMENTS
from bankcrm.audit.module import MODULE as AUDIT
from bankcrm.catalogue.module import MODULE as CATALOGUE
from bankcrm.churn.module import MODULE as CHURN
from bankcrm.customers.module import MODULE as CUSTOMERS
from bankcrm.earlywarning.module import MODULE as EARLYWARNING
from bankcrm.holdings.module import MODULE as HOLDINGS
from bankcrm.home.module import MODULE as HOME
from bankcrm.households.module import MODULE as HOUSEHOLDS
from bankcrm.ingest.module import MODULE as INGEST
from bankcrm.insight.module import MODULE as INSIGHT
from bankcrm.jobs.module import MODULE as JOBS
from bankcrm.kit.module import CustomerTab, HomeCard, Job, Module, NavEntry, Permission
from bankcrm.leads.module import MODULE as LEADS
from bankcrm.lifecycle.module import MODULE as LIFECYCLE
from bankcrm.matching.module import MODULE as MATCHING
from bankcrm.outbox.module import MODULE as OUTBOX
from bankcrm.quality.module import MODULE as QUALITY
from bankcrm.relationships.module import MODULE as RELATIONSHIPS
from bankcrm.sales.module import MODULE as SALES
from bankcrm.segments.module import MODULE as SEGMENTS
from bankcrm.tags.module import MODULE as TAGS
from bankcrm.value.module import MODULE as VALUE
from bankcrm.workcalendar.module import MODULE as WORKCALENDAR
from bankcrm.workflow.module import MODULE as WORKFLOW

# One line per module. Order matters only where routes overlap: earlier modules' routes match first.
MODULES: tuple[Module, ...] = (
    ACCESS,
    ASSIGNMENTS,
    AUDIT,
    CATALOGUE,
    WORKCALENDAR,
    HOME,
    CUSTOMERS,
    HOLDINGS,
    HOUSEHOLDS,
    INGEST,
    JOBS,
    MATCHING,
    RELATIONSHIPS,
    WORKFLOW,
    INSIGHT,  # after the steps that merge customers and link groups: the snapshot sees their work
    LIFECYCLE,  # after the snapshot its rules read
    CHURN,  # after the snapshot its features read
    EARLYWARNING,  # after the lifecycle (lost customers get no warning) and the churn scores it raises warnings from
    TAGS,  # after the figures, households and merges its rules read
    SEGMENTS,  # after the snapshot and the tags its specifications read
    VALUE,  # after figures: its nightly step prices the holdings they saw
    QUALITY,  # after the steps that change customers: its monthly figures see their work
    SALES,  # after figures: its step reads the holdings they loaded
    LEADS,  # after the steps that change customers: a conversion sees the approved customer
    OUTBOX,  # last: its job delivers what the other steps wrote
)


def resolve(target: str) -> Any:
    """The object a ``"package.module:attribute"`` string names."""
    module_name, _, attribute = target.partition(":")
    return getattr(import_module(module_name), attribute)


def api_routers() -> list[Any]:
    """Every module's JSON API routers, mounted under /api/v1."""
    return [resolve(name) for m in MODULES for name in m.api_routers]


def view_routers() -> list[Any]:
    """Every module's HTML routers."""
    return [resolve(name) for m in MODULES for name in m.view_routers]


@cache
def navigation() -> tuple[NavEntry, ...]:
    """The side navigation in display order."""
    return tuple(sorted((e for m in MODULES for e in m.navigation), key=lambda e: (e.order, e.path)))


@cache
def permissions() -> tuple[Permission, ...]:
    """Every permission a module declares; a code declared twice is a programming error."""
    seen: dict[str, Permission] = {}
    for m in MODULES:
        for p in m.permissions:
            if p.code in seen:
                raise ValueError(f"permission {p.code} is declared by two modules")
            seen[p.code] = p
    return tuple(seen.values())


def customer_tabs(kind: str) -> tuple[CustomerTab, ...]:
    """The customer page's module tabs for a customer kind, in display order."""
    return tuple(sorted((t for m in MODULES for t in m.customer_tabs if kind in t.kinds), key=lambda t: t.order))


def home_cards() -> tuple[HomeCard, ...]:
    """Every home-page card in display order."""
    return tuple(sorted((c for m in MODULES for c in m.home_cards), key=lambda c: c.order))


def jobs() -> tuple[Job, ...]:
    """Every batch step, in the order the modules declare them."""
    return tuple(j for m in MODULES for j in m.jobs)


@cache
def reference_data_owner() -> dict[str, str]:
    """Which module owns each code-table category."""
    owner: dict[str, str] = {}
    for m in MODULES:
        for category in m.reference_data:
            if category in owner:
                raise ValueError(f"code table {category} is owned by {owner[category]} and {m.name}")
            owner[category] = m.name
    return owner
