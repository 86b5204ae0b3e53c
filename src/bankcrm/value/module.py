"""The value module's declaration: customers' contribution with transfer pricing, its roll-ups, pricing changes."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry, Permission

MODULE = Module(
    name="value",
    api_routers=("bankcrm.value.api:router",),
    view_routers=("bankcrm.value.views:router",),
    navigation=(
        NavEntry("/value", N_("Contribution"), "value.read", 70),
        NavEntry("/value/pricing", N_("Transfer pricing"), "value.pricing.propose", 71),
    ),
    customer_tabs=(
        CustomerTab("contribution", N_("Contribution"), "/customers/{cif_no}/tabs/contribution", "value.read", 135),
    ),
    permissions=(
        Permission(
            "value.read",
            "View customers' contribution and its roll-ups in scope",
            "查看范围内客户贡献度及其汇总",
            default_roles=("management", "account_manager", "product_manager", "risk_manager"),
        ),
        # The curve and the cost figures are the head office's: its product and risk managers (bank-wide roles).
        Permission(
            "value.pricing.propose",
            "Propose changes of the transfer-pricing curve, provision rates and service costs",
            "提出内部资金转移价格曲线、拨备率和服务成本的调整",
            default_roles=("product_manager", "risk_manager"),
        ),
        Permission(
            "value.pricing.approve",
            "Approve changes of the transfer-pricing curve, provision rates and service costs",
            "审批内部资金转移价格曲线、拨备率和服务成本的调整",
            default_roles=("product_manager", "risk_manager"),
        ),
    ),
    jobs=(
        Job(
            "contribution",
            "Customers' monthly contribution",
            "客户月度贡献度",
            "bankcrm.value.jobs:contribution_job",
            after=("figures",),
        ),
    ),
    reference_data=("ftp_term",),
    tables=("customer_contribution", "ftp_rate", "pricing_change", "value_parameter"),
)
