"""The outbox module's declaration: the job that delivers messages to customers after commit."""

from __future__ import annotations

from bankcrm.kit.module import Job, Module

MODULE = Module(
    name="outbox",
    jobs=(Job("deliver-outbox", "Deliver messages to customers", "发送客户消息", "bankcrm.outbox.jobs:deliver_job"),),
    tables=("outbox_message",),
)
