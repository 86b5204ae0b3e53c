"""Matching services: placing delivered records, the review queue, merging and unmerging customers."""
