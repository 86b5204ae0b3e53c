"""The holdings module's declaration: holdings from core banking, the 360° view, maturity follow-ups."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry, Permission

MODULE = Module(
    name="holdings",
    api_routers=("bankcrm.holdings.api:router",),
    view_routers=("bankcrm.holdings.views:router",),
    navigation=(
        NavEntry("/tasks", N_("Tasks"), "task.work", 50),
        NavEntry("/maturities", N_("Maturities"), "customer.read", 60),
    ),
    customer_tabs=(
        CustomerTab("holdings", N_("360° view"), "/customers/{cif_no}/tabs/holdings", "customer.read", 100),
    ),
    permissions=(
        Permission(
            "task.work",
            "Work follow-up tasks",
            "处理跟进任务",
            default_roles=("management", "account_manager", "operations_manager"),
        ),
    ),
    jobs=(
        Job("figures", "Customers' derived figures", "客户衍生指标", "bankcrm.holdings.jobs:figures_job"),
        Job(
            "maturity-tasks",
            "Maturity follow-up tasks",
            "到期跟进任务",
            "bankcrm.holdings.jobs:maturity_job",
            after=("figures",),
        ),
    ),
    reference_data=(
        "account_status",
        "loan_class",
        "loan_status",
        "maturity_outcome",
        "product_category",
        "repayment_method",
        "task_kind",
        "txn_channel",
        "txn_purpose",
    ),
    tables=(
        "account",
        "account_transaction",
        "balance_snapshot",
        "currency",
        "customer_figure",
        "customer_figure_dirty",
        "loan_contract",
        "product",
        "task",
    ),
)
