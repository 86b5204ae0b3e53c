"""Synthetic demo bank."""
