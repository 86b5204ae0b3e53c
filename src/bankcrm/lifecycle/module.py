"""The lifecycle module's declaration: customers' lifecycle stages, their moves, playbook tasks, distribution."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry, Permission

MODULE = Module(
    name="lifecycle",
    api_routers=("bankcrm.lifecycle.api:router",),
    view_routers=("bankcrm.lifecycle.views:router",),
    navigation=(NavEntry("/lifecycle", N_("Lifecycle"), "lifecycle.read", 59),),
    customer_tabs=(
        CustomerTab("lifecycle", N_("Lifecycle"), "/customers/{cif_no}/tabs/lifecycle", "lifecycle.read", 107),
    ),
    permissions=(
        Permission(
            "lifecycle.read",
            "View customers' lifecycle stages, their moves and the stage distribution in scope",
            "查看范围内客户生命周期阶段、阶段变动及阶段分布",
            default_roles=("management", "account_manager", "product_manager", "risk_manager"),
        ),
    ),
    jobs=(
        Job(
            "lifecycle",
            "Customers' lifecycle stages",
            "客户生命周期阶段",
            "bankcrm.lifecycle.jobs:lifecycle_job",
            after=("snapshot",),
        ),
    ),
    reference_data=("lifecycle_stage",),
    tables=("customer_stage", "customer_stage_history", "lifecycle_task"),
    writes=("customer_month", "task"),
)
