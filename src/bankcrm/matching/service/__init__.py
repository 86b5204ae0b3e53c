"""What matching does: scoring, placing records, survivorship, duplicates on file, reviews, merge and unmerge."""
