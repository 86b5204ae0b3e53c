"""The working calendar's declaration: the bank's entries over the holidays package, edited by an administrator."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import Module, NavEntry, Permission

MODULE = Module(
    name="workcalendar",
    api_routers=("bankcrm.workcalendar.api:router",),
    view_routers=("bankcrm.workcalendar.views:router",),
    navigation=(NavEntry("/admin/calendar", N_("Working calendar"), "calendar.manage", 138),),
    permissions=(
        Permission(
            "calendar.manage",
            "View and change the working calendar",
            "查看和修改工作日历",
            default_roles=("admin",),
        ),
    ),
    reference_data=("calendar_day_kind",),
    tables=("calendar_day",),
)
