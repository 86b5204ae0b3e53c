"""The assignments module's declaration: account managers of customers, shares and manager changes."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, HomeCard, Module, NavEntry, Permission

MODULE = Module(
    name="assignments",
    api_routers=("bankcrm.assignments.api:router",),
    view_routers=("bankcrm.assignments.views:router",),
    navigation=(
        NavEntry("/portfolio", N_("Portfolios"), "assignment.request", 30),
        NavEntry("/assignments/requests", N_("Manager changes"), "assignment.request", 40),
    ),
    # Shares and the history of assignments are for those who manage them; everyone sees the primary
    # manager in the customer page's header.
    customer_tabs=(
        CustomerTab("managers", N_("Account managers"), "/customers/{cif_no}/tabs/managers", "assignment.request", 130),
    ),
    home_cards=(
        HomeCard(
            "manager-changes",
            N_("Manager changes waiting"),
            "bankcrm.assignments.service.cards:waiting_card",
            "assignments/_home_waiting.html",
            "assignment.request",
            21,
        ),
    ),
    permissions=(
        Permission(
            "assignment.request",
            "Request changes of customers' account managers",
            "申请变更客户的客户经理",
            default_roles=("management", "account_manager"),
        ),
        Permission(
            "assignment.approve",
            "Approve changes of customers' account managers",
            "审批客户经理变更",
            default_roles=("management",),
        ),
    ),
    tables=("assignment_request", "assignment_request_item", "manager_assignment"),
)
