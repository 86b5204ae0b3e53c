"""The insight module's declaration: the monthly customer snapshot step, the feature catalogue, value tiers, RFM."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry

MODULE = Module(
    name="insight",
    api_routers=("bankcrm.insight.api:router",),
    view_routers=("bankcrm.insight.views:router",),
    navigation=(NavEntry("/insight/tiers", N_("Tier moves"), "customer.read", 58),),
    customer_tabs=(CustomerTab("insight", N_("Insight"), "/customers/{cif_no}/tabs/insight", "customer.read", 105),),
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
