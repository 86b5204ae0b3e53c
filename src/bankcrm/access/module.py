"""The access module's declaration: org units, users, roles and sign-in."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import HomeCard, Module, NavEntry, Permission

MODULE = Module(
    name="access",
    api_routers=("bankcrm.access.api:router",),
    view_routers=(
        "bankcrm.access.views:public_router",
        "bankcrm.access.views:router",
    ),
    navigation=(
        NavEntry("/admin/units", N_("Org units"), "org.read", 110),
        NavEntry("/admin/users", N_("Users"), "user.read", 120),
        NavEntry("/admin/roles", N_("Roles and permissions"), "role.manage", 130),
    ),
    home_cards=(
        HomeCard(
            "units",
            N_("Org units in your view"),
            "bankcrm.access.service.cards:units_card",
            "access/_home_units.html",
            None,
            30,
        ),
        HomeCard(
            "colleagues",
            N_("Colleagues in your unit"),
            "bankcrm.access.service.cards:colleagues_card",
            "access/_home_colleagues.html",
            None,
            40,
        ),
        HomeCard(
            "users",
            N_("Active users in your view"),
            "bankcrm.access.service.cards:users_card",
            "access/_home_users.html",
            "user.read",
            50,
        ),
    ),
    permissions=(
        Permission(
            "org.read",
            "View org units",
            "查看机构",
            default_roles=("admin", "management", "operations_manager"),
        ),
        Permission(
            "org.manage",
            "Create and change org units",
            "新建和修改机构",
            default_roles=("admin",),
        ),
        Permission(
            "user.read",
            "View users",
            "查看用户",
            default_roles=("admin", "management", "operations_manager"),
        ),
        Permission(
            "user.manage",
            "Create, disable and change users",
            "新建、停用和修改用户",
            default_roles=("admin",),
        ),
        Permission(
            "role.manage",
            "Change roles' permissions",
            "修改角色权限",
            default_roles=("admin",),
        ),
    ),
    tables=(
        "app_user",
        "api_token",
        "org_unit",
        "org_unit_kind",
        "permission",
        "role",
        "role_permission",
        "user_role",
        "user_session",
    ),
)
