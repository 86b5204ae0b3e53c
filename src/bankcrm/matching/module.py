"""The matching module's declaration: source records and cross-references, match reviews, merges and aliases."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry, Permission

MODULE = Module(
    name="matching",
    api_routers=("bankcrm.matching.api:router",),
    view_routers=("bankcrm.matching.views:router",),
    navigation=(NavEntry("/match-reviews", N_("Possible duplicates"), "match.read", 25),),
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
    # A merge moves the merged customer's rows to the survivor and an unmerge puts them back, through
    # the one generic row service (matching/repository/rows.py); the customer's own fields change
    # through the customers service. The figures queue takes both customers after either.
    writes=(
        "account",
        "account_party",
        "account_transaction",
        "assignment_request_item",
        "balance_snapshot",
        "change_request",
        "contact_person",
        "corporate_group",
        "corporate_group_member",
        "corporate_profile",
        "customer",
        "customer_contact",
        "customer_field_change",
        "customer_figure",
        "customer_figure_dirty",
        "customer_link",
        "customer_search_key",
        "family_member",
        "guarantee_circle_member",
        "household",
        "household_member",
        "household_override",
        "individual_profile",
        "loan_contract",
        "manager_assignment",
        "task",
    ),
)
