"""Data quality: completeness and validity of customer data per field and branch, duplicates, sources, trend."""
