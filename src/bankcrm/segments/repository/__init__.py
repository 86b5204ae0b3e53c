"""Queries of the segments module: the specification compiled to SQL, saved segments, membership."""
