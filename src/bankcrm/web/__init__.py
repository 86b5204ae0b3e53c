"""Base layout, shared components, templates and static files."""
