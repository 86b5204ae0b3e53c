"""The households module's declaration: households derived from family links, with manual edits kept."""

from __future__ import annotations

from bankcrm.kit.module import Module

MODULE = Module(
    name="households",
    api_routers=("bankcrm.households.api:router",),
    view_routers=("bankcrm.households.views:router",),
    reference_data=("home_ownership",),
    tables=("household", "household_member", "household_override"),
)
