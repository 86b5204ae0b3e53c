"""The bankcrm command line."""
