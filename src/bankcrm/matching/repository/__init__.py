"""The matching module's queries: the review queue, remembered decisions, merges, and the rows a merge moves."""
