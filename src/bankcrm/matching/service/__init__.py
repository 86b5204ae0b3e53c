"""The matching module's services: placing delivered records, survivorship, source records and lookups."""
