"""The quality module's services: field checks, figures for a scope, the gaps list, the monthly snapshot."""
