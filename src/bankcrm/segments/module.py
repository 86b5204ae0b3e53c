"""The segments module's declaration: saved segments, the builder, membership kept by the nightly batch."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import Job, Module, NavEntry, Permission

MODULE = Module(
    name="segments",
    api_routers=("bankcrm.segments.api:router",),
    view_routers=("bankcrm.segments.views:router",),
    navigation=(NavEntry("/segments", N_("Segments"), "segment.read", 59),),
    permissions=(
        Permission(
            "segment.read",
            "See segments and preview a specification",
            "查看客户分群并预览分群条件",
            default_roles=("management", "account_manager", "lobby_manager", "operations_manager"),
        ),
        Permission(
            "segment.manage",
            "Save, change and delete one's own segments",
            "保存、修改和删除自己的客户分群",
            default_roles=("management", "account_manager", "operations_manager"),
        ),
        Permission(
            "segment.publish",
            "Share segments with the whole bank and change shared segments",
            "向全行共享客户分群并修改共享分群",
            default_roles=("management",),
        ),
    ),
    jobs=(
        Job(
            "segments",
            "Segment membership refreshed",
            "刷新客户分群成员",
            "bankcrm.segments.jobs:segments_job",
            after=("snapshot", "tags"),
        ),
    ),
    tables=("segment", "segment_member", "segment_size"),
)
