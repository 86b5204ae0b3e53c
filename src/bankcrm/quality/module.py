"""The quality module's declaration: the data-quality page, the gaps list, the monthly trend step, the ops card."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import HomeCard, Job, Module, NavEntry, Permission

MODULE = Module(
    name="quality",
    api_routers=("bankcrm.quality.api:router",),
    view_routers=("bankcrm.quality.views:router",),
    navigation=(
        NavEntry("/quality", N_("Data quality"), "quality.read", 105),
        NavEntry("/quality/my-gaps", N_("My data gaps"), "quality.gaps.own", 56),
    ),
    home_cards=(
        HomeCard(
            "data-quality",
            N_("Data quality at the last month-end"),
            "bankcrm.quality.service.cards:quality_card",
            "quality/_home_quality.html",
            "quality.read",
            6,
            ("operations_manager",),
        ),
    ),
    permissions=(
        Permission(
            "quality.read",
            "View data-quality figures and every customer with gaps in scope",
            "查看数据质量指标及范围内所有信息缺失客户",
            default_roles=("operations_manager", "management"),
        ),
        Permission(
            "quality.gaps.own",
            "View and export the data gaps of one's own customers",
            "查看及导出本人管户客户的信息缺失",
            default_roles=("account_manager",),
        ),
    ),
    jobs=(
        Job(
            "data-quality",
            "Monthly data-quality figures",
            "月度数据质量指标",
            "bankcrm.quality.jobs:snapshot_job",
        ),
    ),
    tables=("data_quality_snapshot", "customer_quality"),
)
