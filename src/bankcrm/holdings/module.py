"""The holdings module's declaration: holdings from core banking, the 360° view, maturity follow-ups."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, HomeCard, Job, Module, NavEntry, Permission

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
    home_cards=(
        # An account manager's day: their tasks, maturities, book and its movers; management sees its subtree.
        HomeCard(
            "work",
            N_("Your work this week"),
            "bankcrm.holdings.service.cards:work_card",
            "holdings/_home_work.html",
            "task.work",
            1,
            ("account_manager",),
            dated=True,
        ),
        HomeCard(
            "portfolio",
            N_("Portfolio in your view"),
            "bankcrm.holdings.service.cards:portfolio_card",
            "holdings/_home_portfolio.html",
            "customer.read",
            2,
            ("account_manager", "management"),
            dated=True,
        ),
        # Management: AUM and deposits of the subtree at the last six month-ends, as a chart and as a table.
        HomeCard(
            "aum-trend",
            N_("AUM and deposits at month-end"),
            "bankcrm.holdings.service.cards:trend_card",
            "holdings/_home_trend.html",
            "customer.read",
            2,
            ("management",),
            dated=True,
        ),
        HomeCard(
            "movers",
            N_("AUM moved most this month"),
            "bankcrm.holdings.service.cards:movers_card",
            "holdings/_home_movers.html",
            "customer.read",
            3,
            ("account_manager", "management"),
            dated=True,
        ),
        HomeCard(
            "retention",
            N_("Maturities and retention, last 4 weeks"),
            "bankcrm.holdings.service.cards:retention_card",
            "holdings/_home_retention.html",
            "customer.read",
            3,
            ("account_manager", "management"),
            dated=True,
        ),
        HomeCard(
            "overdue",
            N_("Tasks past due by account manager"),
            "bankcrm.holdings.service.cards:overdue_card",
            "holdings/_home_overdue.html",
            "task.work",
            4,
            ("management",),
            dated=True,
        ),
        HomeCard(
            "ranking",
            N_("Units and managers by AUM"),
            "bankcrm.holdings.service.cards:ranking_card",
            "holdings/_home_ranking.html",
            "customer.read",
            4,
            ("management",),
        ),
        # A product manager's view: what each product holds across the bank (names stay masked for them).
        HomeCard(
            "products",
            N_("Holdings by product"),
            "bankcrm.holdings.service.cards:products_card",
            "holdings/_home_products.html",
            "customer.read",
            1,
            ("product_manager",),
        ),
        HomeCard(
            "loan-classes",
            N_("Loans by five-category class"),
            "bankcrm.holdings.service.cards:loan_class_card",
            "holdings/_home_loan_classes.html",
            "customer.read",
            5,
            ("risk_manager", "management"),
        ),
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
        "account_party_role",
        "account_status",
        "loan_class",
        "loan_status",
        "followup_outcome",
        "maturity_outcome",
        "product_category",
        "repayment_method",
        "task_kind",
        "txn_channel",
        "txn_purpose",
    ),
    tables=(
        "account",
        "account_party",
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
