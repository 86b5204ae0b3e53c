"""The churn module's declaration: churn models with their cards, monthly scores with reasons, backtests."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry, Permission

MODULE = Module(
    name="churn",
    api_routers=("bankcrm.churn.api:router",),
    view_routers=("bankcrm.churn.views:router",),
    navigation=(NavEntry("/models", N_("Models"), "models.read", 61),),
    customer_tabs=(CustomerTab("churn", N_("Churn risk"), "/customers/{cif_no}/tabs/churn", "models.read", 108),),
    permissions=(
        Permission(
            "models.read",
            "View churn model cards and backtests, and customers' churn scores with reasons in scope",
            "查看流失模型卡片与回测，以及范围内客户的流失概率与原因",
            default_roles=("management", "account_manager", "risk_manager"),
        ),
    ),
    jobs=(
        Job(
            "churn",
            "Churn model: monthly training, scores",
            "流失模型：每月训练与评分",
            "bankcrm.churn.jobs:churn_job",
            after=("snapshot",),
        ),
    ),
    reference_data=("model_status",),
    tables=("churn_model", "churn_score"),
)
