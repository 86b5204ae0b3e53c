"""One customer across the bank's source systems: source records, matching, merge and unmerge, data quality."""
