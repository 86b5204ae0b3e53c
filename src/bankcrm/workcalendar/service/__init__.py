"""The working calendar's services: the calendar every module counts in, and the bank's edits to it."""
