"""The sales module's declaration: opportunities and the pipeline, activities and visit plans, targets."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import Job, Module, NavEntry, Permission

MODULE = Module(
    name="sales",
    api_routers=("bankcrm.sales.api:router",),
    view_routers=("bankcrm.sales.views.opportunities:router", "bankcrm.sales.views.plan:router"),
    navigation=(
        NavEntry("/opportunities/board", N_("Pipeline"), "opportunity.read", 61),
        NavEntry("/activities/week", N_("Visit plan"), "activity.write", 62),
        NavEntry("/sales/dashboard", N_("Sales performance"), "target.read", 63),
    ),
    permissions=(
        Permission(
            "opportunity.read",
            "View opportunities, the pipeline board and list in scope",
            "查看范围内的商机、销售看板及列表",
            default_roles=("management", "account_manager"),
        ),
        Permission(
            "opportunity.write",
            "Open opportunities and move them through the stages",
            "创建商机并推进阶段",
            default_roles=("management", "account_manager"),
        ),
        Permission(
            "activity.write",
            "Record calls, visits, meetings and WeChat messages and plan visits",
            "记录电话、拜访、会面及微信沟通并计划拜访",
            default_roles=("management", "account_manager", "lobby_manager"),
        ),
        Permission(
            "target.read",
            "View sales targets, actuals and rankings in scope",
            "查看范围内的销售目标、完成情况及排名",
            default_roles=("management", "account_manager"),
        ),
        Permission(
            "target.set",
            "Set sales targets for managers and units",
            "为客户经理及机构设定销售目标",
            default_roles=("management",),
        ),
    ),
    jobs=(
        Job(
            "opportunity-wins",
            "Opportunities won per the holdings",
            "根据持有产品识别赢单商机",
            "bankcrm.sales.jobs:wins_job",
            after=("figures",),
        ),
    ),
    reference_data=("opportunity_loss_reason", "competitor", "activity_kind", "activity_status", "activity_outcome"),
    tables=(
        "opportunity",
        "opportunity_stage_history",
        "opportunity_stage_total",
        "activity",
        "sales_target",
        "calendar_feed",
    ),
)
