"""The workflow module's declaration: a domain-free engine other modules call; no pages or rights of its own."""

from __future__ import annotations

from bankcrm.kit.module import Module

# The states and transitions are catalogues (reference_data/catalogue/workflow_*.csv), synchronised by
# bankcrm.migrate.sync_workflows; the permissions they name are declared by the modules that own them.
MODULE = Module(name="workflow", tables=("status_history", "workflow_state", "workflow_transition"))
