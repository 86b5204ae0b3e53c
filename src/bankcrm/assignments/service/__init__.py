"""Business rules of account-manager assignments (no HTTP)."""
