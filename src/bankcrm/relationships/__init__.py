"""Relationships between customers: dated links (family, ownership, control, guarantees, trade)."""
