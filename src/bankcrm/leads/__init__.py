"""Leads and referrals: capture, de-duplication, assignment, acceptance, progress, conversion, referrer credit."""
