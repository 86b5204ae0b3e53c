"""Customer information file use cases: intake, approval, edit, queries, PII."""
