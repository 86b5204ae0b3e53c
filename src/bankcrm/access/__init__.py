"""Users, roles, permissions, org tree, sign-in, sessions, tokens and data scope."""
