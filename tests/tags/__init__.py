"""Tests of the tags module."""
