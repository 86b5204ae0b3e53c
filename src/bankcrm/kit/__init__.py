"""Shared, domain-free helpers."""
