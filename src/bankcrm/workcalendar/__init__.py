"""The business calendar: working days from the holidays package with the bank's own entries winning."""
