"""Outbox use cases: enqueue a message with a business change; deliver pending ones."""

from bankcrm.outbox.service.enqueue import CHANNELS, enqueue

__all__ = ["CHANNELS", "enqueue"]
