"""HTML pages of sales: opportunities (opportunities.py), activities, plans and performance (plan.py)."""
