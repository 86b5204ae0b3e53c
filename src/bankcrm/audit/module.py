"""The audit module's declaration: the hash-chained audit log."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import HomeCard, Module, NavEntry, Permission

MODULE = Module(
    name="audit",
    api_routers=("bankcrm.audit.api:router",),
    view_routers=("bankcrm.audit.views:router",),
    navigation=(NavEntry("/admin/audit", N_("Audit log"), "audit.read", 140),),
    home_cards=(
        HomeCard(
            "audit",
            N_("Audit events, last 24 hours"),
            "bankcrm.audit.service:home_card",
            "audit/_home_audit.html",
            "audit.read",
            60,
        ),
        # Tellers and lobby managers: how many customers they served today, from their own audit trail.
        HomeCard(
            "served-today",
            N_("Customers served today"),
            "bankcrm.audit.service:served_today_card",
            "audit/_home_served.html",
            "customer.read",
            1,
            ("teller", "lobby_manager"),
            dated=True,
        ),
    ),
    permissions=(
        Permission(
            "audit.read",
            "View the audit log",
            "查看审计日志",
            default_roles=("admin",),
        ),
    ),
    tables=("audit_event",),
)
