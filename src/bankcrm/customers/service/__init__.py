"""Customer information file use cases: intake, approval, edit, reads, PII."""
