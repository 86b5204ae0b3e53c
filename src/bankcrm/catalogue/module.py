"""The catalogue module's declaration: the shared reader of code tables (each category's CSV stays with its domain)."""

from __future__ import annotations

from bankcrm.kit.module import Module

# No routes or permissions of its own. A code table's meaning (its CSV) stays with the domain that lists it
# in reference_data; this module holds the one table they share, which only the upgrade's sync writes.
MODULE = Module(name="catalogue", tables=("code_item",))
