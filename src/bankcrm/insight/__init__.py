"""Customer insight: the monthly customer snapshot, its feature catalogue, value tiers and RFM."""
