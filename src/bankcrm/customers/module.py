"""The customers module's declaration: the customer information file (individual, corporate, maker-checker, PII)."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import HomeCard, Module, NavEntry, Permission

MODULE = Module(
    name="customers",
    api_routers=("bankcrm.customers.api:router",),
    view_routers=("bankcrm.customers.views:router",),
    navigation=(
        NavEntry("/customers", N_("Customers"), "customer.read", 10),
        NavEntry("/approvals", N_("Approvals"), "customer.read", 20),
    ),
    home_cards=(
        HomeCard(
            "customers",
            N_("Customers in your view"),
            "bankcrm.customers.service.cards:customers_card",
            "customers/_home_customers.html",
            "customer.read",
            10,
        ),
        HomeCard(
            "approvals",
            N_("Change requests waiting"),
            "bankcrm.customers.service.cards:approvals_card",
            "customers/_home_approvals.html",
            "customer.read",
            20,
        ),
    ),
    permissions=(
        Permission(
            "customer.read",
            "View customers",
            "查看客户",
            default_roles=(
                "management",
                "account_manager",
                "lobby_manager",
                "teller",
                "product_manager",
                "risk_manager",
                "operations_manager",
            ),
        ),
        Permission(
            "customer.write",
            "Enter and change customers",
            "录入和修改客户",
            default_roles=("account_manager", "lobby_manager", "teller", "operations_manager"),
        ),
        Permission(
            "customer.approve",
            "Approve customer changes",
            "审批客户信息变更",
            default_roles=("management", "operations_manager"),
        ),
        # Names in full for the roles that serve or process customers; product and risk analyse portfolios
        # and reveal a name case by case with the audited pii.unmask.
        Permission(
            "customer.name.read",
            "See customers' names in full",
            "查看客户完整姓名",
            default_roles=("management", "account_manager", "lobby_manager", "teller", "operations_manager"),
        ),
        Permission(
            "pii.unmask",
            "Reveal masked personal data",
            "查看完整个人敏感信息",
            default_roles=("management", "account_manager", "risk_manager", "operations_manager"),
        ),
    ),
    reference_data=(
        "address_type",
        "company_type",
        "contact_channel",
        "contact_role",
        "contact_time",
        "customer_status",
        "education",
        "enterprise_size",
        "ethnicity",
        "gender",
        "id_type",
        "income_band",
        "industry",
        "marital_status",
        "occupation",
        "source_channel",
    ),
    tables=(
        "change_request",
        "contact_person",
        "corporate_profile",
        "counter",
        "customer",
        "customer_contact",
        "customer_field_change",
        "customer_search_key",
        "family_member",
        "individual_profile",
    ),
    writes=("manager_assignment",),
)
