"""Analyses: placement, aggregation, coverage, underserved score, suggestions, profiles."""
