"""Scans of a deployed endpoint (no App Key is ever sent)."""
