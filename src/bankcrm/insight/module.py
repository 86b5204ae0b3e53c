"""The insight module's declaration: the monthly customer snapshot step, the feature catalogue, value tiers, RFM,
the value dashboard."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry, Permission

MODULE = Module(
    name="insight",
    api_routers=("bankcrm.insight.api:router",),
    view_routers=("bankcrm.insight.views:router",),
    navigation=(
        NavEntry("/insight/tiers", N_("Tier moves"), "customer.read", 58),
        NavEntry("/insight/dashboard", N_("Value dashboard"), "insight.dashboard", 69),
    ),
    customer_tabs=(CustomerTab("insight", N_("Insight"), "/customers/{cif_no}/tabs/insight", "customer.read", 105),),
    permissions=(
        # Aggregates of a whole unit: for branch and head-office management and the head office's analysts.
        Permission(
            "insight.dashboard",
            "View the value dashboard (tiers, tier moves, AUM, contribution Pareto) of units in scope",
            "查看范围内机构的价值仪表盘（客户层级、层级迁移、资产、贡献度帕累托）",
            default_roles=("management", "product_manager", "risk_manager"),
        ),
    ),
    jobs=(
        Job(
            "snapshot",
            "Monthly customer snapshot",
            "客户月度快照",
            "bankcrm.insight.jobs:snapshot_job",
            after=("figures",),
        ),
    ),
    tables=("customer_month",),
)
