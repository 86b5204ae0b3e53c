"""The outbox: messages to customers written with the business change, delivered after commit by a job."""
