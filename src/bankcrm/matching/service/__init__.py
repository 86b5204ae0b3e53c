"""What matching does: scoring pairs, placing delivered records, survivorship, source records, duplicates on file."""
