"""What customers hold: figures, the 360° view, maturity follow-up tasks."""
