"""Household rules: deriving households from family links, manual overrides, reading them in scope."""
