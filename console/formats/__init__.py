"""Renderers of check results: one ``render`` function per format (text, json, junit, sarif, github)."""
