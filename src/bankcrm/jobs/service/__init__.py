"""Job use cases: ordering the registry's steps, running them, queueing one from a request, reading runs."""
