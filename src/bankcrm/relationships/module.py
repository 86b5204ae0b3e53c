"""The relationships module's declaration: customer links, corporate groups and guarantee circles."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, HomeCard, Job, Module, NavEntry, Permission

MODULE = Module(
    name="relationships",
    api_routers=("bankcrm.relationships.api:router",),
    view_routers=("bankcrm.relationships.views:router",),
    navigation=(
        NavEntry("/groups", N_("Corporate groups"), "group.read", 70),
        NavEntry("/guarantee-circles", N_("Guarantee circles"), "group.read", 80),
    ),
    customer_tabs=(CustomerTab("links", N_("Relationships"), "/customers/{cif_no}/tabs/links", "customer.read", 120),),
    home_cards=(
        HomeCard(
            "groups",
            N_("Corporate groups to review"),
            "bankcrm.relationships.service.cards:review_card",
            "relationships/_home_groups.html",
            "group.read",
            7,
            ("risk_manager",),
        ),
    ),
    permissions=(
        Permission(
            "group.read",
            "View corporate groups and guarantee circles",
            "查看集团客户和担保圈",
            default_roles=("management", "account_manager", "risk_manager"),
        ),
        Permission(
            "group.review",
            "Derive corporate groups and accept or reject them",
            "识别集团客户并审核确认或驳回",
            default_roles=("risk_manager",),
        ),
    ),
    jobs=(
        Job(
            "groups",
            "Corporate groups and guarantee circles",
            "识别集团客户和担保圈",
            "bankcrm.relationships.jobs:groups_job",
            after=("figures",),
        ),
    ),
    reference_data=("family_relation", "guarantee_type", "link_reading", "link_type"),
    tables=(
        "corporate_group",
        "corporate_group_member",
        "customer_link",
        "guarantee_circle",
        "guarantee_circle_member",
    ),
)
