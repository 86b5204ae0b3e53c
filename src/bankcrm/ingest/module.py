"""The ingest module's declaration: core-banking file ingest: runs, rejects, re-runs and undo."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import HomeCard, Module, NavEntry, Permission

MODULE = Module(
    name="ingest",
    api_routers=("bankcrm.ingest.api:router",),
    view_routers=("bankcrm.ingest.views:router",),
    navigation=(NavEntry("/ingest/runs", N_("Ingest runs"), "ingest.read", 100),),
    home_cards=(
        HomeCard(
            "ingest-rejects",
            N_("Ingest runs with rejects"),
            "bankcrm.ingest.service.runs:rejects_card",
            "ingest/_home_rejects.html",
            "ingest.read",
            6,
        ),
    ),
    permissions=(
        Permission(
            "ingest.read",
            "View file ingest runs and their rejects",
            "查看数据导入记录及拒绝明细",
            default_roles=("operations_manager",),
        ),
        Permission(
            "ingest.rerun",
            "Re-run the rejected rows of ingest runs",
            "重新导入数据导入的拒绝记录",
            default_roles=("operations_manager",),
        ),
        Permission(
            "ingest.rejects.unmask",
            "See rejected ingest rows as delivered (unmasked, every customer)",
            "查看数据导入拒绝记录原文（不脱敏，含全部客户）",
            default_roles=(),
        ),
    ),
    tables=("ingest_batch", "ingest_prior_row", "ingest_reject", "ingest_run"),
    writes=(
        "account",
        "account_party",
        "account_transaction",
        "balance_snapshot",
        "customer_link",
        "customer_tag",
        "loan_contract",
    ),
)
