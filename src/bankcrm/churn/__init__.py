"""Churn model: labels from history, features from the monthly snapshot, LightGBM with reasons, model cards."""
