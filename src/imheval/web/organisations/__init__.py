"""Organisations, members and roles; the scoping every query goes through; the audit log."""
