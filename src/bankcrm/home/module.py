"""The home module's declaration: the home page and the search box."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import Module, NavEntry

MODULE = Module(
    name="home",
    view_routers=("bankcrm.home.views:router",),
    navigation=(NavEntry("/", N_("Home"), None, 0),),
)
