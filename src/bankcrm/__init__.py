"""bankcrm: an open-source CRM for commercial banks."""

__version__ = "0.1.0"
