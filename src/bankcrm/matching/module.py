"""The matching module's declaration: source records and cross-references, match reviews, merges and aliases."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, Permission

MODULE = Module(
    name="matching",
    api_routers=("bankcrm.matching.api:router",),
    view_routers=("bankcrm.matching.views:router",),
    customer_tabs=(CustomerTab("sources", N_("Sources"), "/customers/{cif_no}/tabs/sources", "match.read", 140),),
    permissions=(
        Permission(
            "match.read",
            "View customers' source records and the match review queue",
            "查看客户来源记录及疑似重复复核队列",
            default_roles=("operations_manager", "management"),
        ),
        Permission(
            "match.review",
            "Decide possible duplicates: propose a merge, link, or mark as different customers",
            "处理疑似重复客户：提交合并、关联或确认非同一客户",
            default_roles=("operations_manager",),
        ),
        Permission(
            "match.approve",
            "Approve or reject merges of customers, and undo a merge",
            "审批客户合并及撤销合并",
            default_roles=("management", "operations_manager"),
        ),
    ),
    jobs=(
        Job(
            "match",
            "Possible duplicate customers",
            "识别疑似重复客户",
            "bankcrm.matching.jobs:match_job",
        ),
    ),
    reference_data=("match_method", "survivorship_rule"),
    tables=(
        "customer_alias",
        "customer_merge",
        "customer_source",
        "match_distinct",
        "match_review",
        "source_system",
        "survivorship_rule",
    ),
)
