"""The early-warning module's declaration: signals, warnings worked to an outcome, escalation, win-back, factors."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, HomeCard, Job, Module, NavEntry, Permission

STAFF = ("management", "account_manager", "product_manager", "risk_manager", "operations_manager")

MODULE = Module(
    name="earlywarning",
    api_routers=("bankcrm.earlywarning.api:router",),
    view_routers=("bankcrm.earlywarning.views:router",),
    navigation=(NavEntry("/warnings", N_("Warnings"), "warnings.read", 60),),
    customer_tabs=(CustomerTab("warnings", N_("Warnings"), "/customers/{cif_no}/tabs/warnings", "warnings.read", 109),),
    home_cards=(
        HomeCard(
            "warnings",
            N_("Warnings waiting for you"),
            "bankcrm.earlywarning.service.cards:warnings_card",
            "earlywarning/_home.html",
            "warnings.read",
            3,
            roles=("account_manager", "management"),
        ),
    ),
    permissions=(
        Permission(
            "warnings.read",
            "View early warnings of customers in scope, assigned, escalated or brought into",
            "查看范围内及分配、升级或受邀参与的客户预警",
            default_roles=STAFF,
        ),
        Permission(
            "warnings.act",
            "Record contacts, action plans and outcomes of warnings",
            "记录预警的联系、行动计划与结果",
            default_roles=STAFF,
        ),
        Permission(
            "warnings.coordinate",
            "Bring product, risk or operations staff into a warning",
            "邀请产品、风险或运营人员参与预警处理",
            default_roles=("management",),
        ),
        Permission(
            "warnings.analyse",
            "View the win-back list, lost-customer analysis and warning factors",
            "查看挽回名单、流失客户分析与预警因素分析",
            default_roles=("management", "account_manager", "product_manager", "risk_manager"),
        ),
    ),
    jobs=(
        Job(
            "warnings",
            "Early-warning signals, warnings and escalations",
            "预警信号、预警与升级",
            "bankcrm.earlywarning.jobs:warnings_job",
            after=("snapshot", "lifecycle", "churn"),
        ),
    ),
    reference_data=(
        "warning_status",
        "warning_severity",
        "warning_action",
        "warning_outcome",
        "lost_reason",
        "winback_result",
    ),
    tables=("early_warning", "early_warning_event", "early_warning_participant"),
)
