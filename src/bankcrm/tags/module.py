"""The tags module's declaration: the tag catalogue, customers' tags, the nightly rule tags."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module, NavEntry, Permission

MODULE = Module(
    name="tags",
    api_routers=("bankcrm.tags.api:router",),
    view_routers=("bankcrm.tags.views:router",),
    navigation=(NavEntry("/admin/tags", N_("Tags"), "tag.admin", 135),),
    customer_tabs=(CustomerTab("tags", N_("Tags"), "/customers/{cif_no}/tabs/tags", "customer.read", 125),),
    permissions=(
        Permission(
            "tag.apply",
            "Apply and remove customer tags",
            "添加和移除客户标签",
            default_roles=("management", "account_manager", "lobby_manager", "operations_manager"),
        ),
        Permission(
            "tag.apply.sensitive",
            "Apply and remove sensitive customer tags",
            "添加和移除敏感客户标签",
            default_roles=("management", "operations_manager"),
        ),
        Permission("tag.admin", "Manage the tag catalogue", "管理标签目录", default_roles=("admin", "management")),
    ),
    jobs=(
        Job(
            "tags",
            "Rule tags recomputed",
            "重新计算规则标签",
            "bankcrm.tags.jobs:tags_job",
            after=("figures",),
        ),
    ),
    tables=("tag", "customer_tag"),
)
