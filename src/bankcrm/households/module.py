"""The households module's declaration: households derived from family links, with manual edits kept."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import CustomerTab, Job, Module

MODULE = Module(
    name="households",
    api_routers=("bankcrm.households.api:router",),
    view_routers=("bankcrm.households.views:router",),
    # Households are derived from family links, which only individuals have.
    customer_tabs=(
        CustomerTab(
            "household", N_("Household"), "/customers/{cif_no}/tabs/household", "customer.read", 110, ("individual",)
        ),
    ),
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
    tables=("household", "household_member", "household_override"),
)
