"""The jobs module's declaration: the batch runner's operations page and its permissions."""

from __future__ import annotations

from bankcrm.kit.i18n import N_
from bankcrm.kit.module import HomeCard, Module, NavEntry, Permission

MODULE = Module(
    name="jobs",
    api_routers=("bankcrm.jobs.api:router",),
    view_routers=("bankcrm.jobs.views:router",),
    navigation=(NavEntry("/admin/jobs", N_("Batch jobs"), "job.read", 145),),
    home_cards=(
        HomeCard(
            "job-runs",
            N_("Latest batch job runs"),
            "bankcrm.jobs.service.cards:latest_card",
            "jobs/_home_runs.html",
            "job.read",
            7,
        ),
    ),
    permissions=(
        Permission(
            "job.read",
            "View batch jobs and their runs",
            "查看批处理作业及运行记录",
            default_roles=("admin", "operations_manager"),
        ),
        Permission(
            "job.run",
            "Queue a batch job to run",
            "提交批处理作业排队运行",
            default_roles=("admin", "operations_manager"),
        ),
    ),
    tables=("job_run",),
)
