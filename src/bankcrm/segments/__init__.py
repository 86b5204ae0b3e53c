"""Segments (客户分群): customers selected by a validated specification or an uploaded list, kept nightly."""
