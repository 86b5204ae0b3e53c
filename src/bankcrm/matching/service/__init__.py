"""What matching does: scoring pairs, placing delivered records, finding duplicates on file."""
