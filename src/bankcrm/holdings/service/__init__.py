"""Holdings use cases: nightly figures, the 360° view, maturity tasks."""
