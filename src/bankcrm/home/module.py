"""The home module's declaration: the home page and the search box."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import HomeCard, Module, NavEntry

MODULE = Module(
    name="home",
    view_routers=("bankcrm.home.views:router",),
    navigation=(NavEntry("/", N_("Home"), None, 0),),
    home_cards=(
        # The counter's first move is finding the customer in front of them.
        HomeCard(
            "search",
            N_("Find a customer"),
            "bankcrm.home.service:search_card",
            "home/_home_search.html",
            "customer.read",
            0,
            ("teller", "lobby_manager"),
        ),
    ),
)
