"""Batch jobs: the registry's steps run in dependency order, each in its own transaction, with a run record."""
