"""The catalogue module's declaration: the shared reader of code tables (each table is owned by its domain)."""

from __future__ import annotations

from bankcrm.kit.module import Module

# No routes, permissions or tables of its own: a code table's meaning (and its CSV) stays with the domain
# that declares it in reference_data; this module only reads them for every domain.
MODULE = Module(name="catalogue")
