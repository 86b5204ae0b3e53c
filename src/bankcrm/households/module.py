"""The households module's declaration: households derived from family links, with manual edits kept."""

from __future__ import annotations

from bankcrm.kit.module import Job, Module

MODULE = Module(
    name="households",
    api_routers=("bankcrm.households.api:router",),
    view_routers=("bankcrm.households.views:router",),
    jobs=(
        Job(
            "households",
            "Households from family links",
            "根据亲属关系识别家庭",
            "bankcrm.households.jobs:households_job",
            after=("figures",),
        ),
    ),
    reference_data=("home_ownership",),
)
