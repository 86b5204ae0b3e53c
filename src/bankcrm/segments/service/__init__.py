"""Segment services: the specification checked and previewed, saved segments, membership, exports."""
