"""Access use cases: sign-in and sessions, org units, users, roles."""
