"""Checks as one catalogue of stable IDs, and the typed results every output format renders."""
