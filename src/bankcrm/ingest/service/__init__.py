"""Ingest use cases: load a file, list runs, read rejects."""
