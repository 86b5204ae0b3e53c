"""The leads module's declaration: leads, referrals (三位一体), assignment rules, acceptance timeout, points."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry, Permission

MODULE = Module(
    name="leads",
    api_routers=("bankcrm.leads.api:router",),
    view_routers=("bankcrm.leads.views:router",),
    navigation=(
        NavEntry("/leads", N_("Leads"), "lead.read", 45),
        NavEntry("/referrals", N_("Referrals"), "lead.refer", 46),
    ),
    customer_tabs=(CustomerTab("leads", N_("Leads"), "/customers/{cif_no}/tabs/leads", "lead.read", 128),),
    permissions=(
        Permission(
            "lead.read",
            "View leads in scope: the pool, one's own, one's referrals, and their history",
            "查看范围内的线索:线索池、本人线索、本人推荐及其历史",
            default_roles=("management", "account_manager", "lobby_manager", "teller"),
        ),
        Permission(
            "lead.create",
            "Record a lead (a prospect or a customer's interest)",
            "登记线索(潜在客户或客户意向)",
            default_roles=("management", "account_manager", "lobby_manager"),
        ),
        Permission(
            "lead.refer",
            "Refer a customer to an account manager and follow the referral",
            "向客户经理推荐客户并跟踪推荐进展",
            default_roles=("account_manager", "lobby_manager", "teller"),
        ),
        Permission(
            "lead.work",
            "Accept, contact, qualify, convert or disqualify one's leads",
            "接受、联系、确认、转化或关闭本人线索",
            default_roles=("account_manager",),
        ),
        Permission(
            "lead.assign",
            "Assign and reassign leads in scope to account managers",
            "将范围内线索分配或改派给客户经理",
            default_roles=("management",),
        ),
    ),
    jobs=(
        Job(
            "leads",
            "Lead timeouts and conversions",
            "线索超时退回与转化",
            "bankcrm.leads.jobs:leads_job",
            after=(),
        ),
    ),
    reference_data=("lead_source", "lead_interest", "lead_disqualify_reason"),
    tables=("lead", "lead_assignment", "lead_rota", "referral_points"),
)
