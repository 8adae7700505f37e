"""Hostile and broken REFI-QDA files, built by the tests (corpus.py) rather than committed."""
