"""Results in the workspace: the one adapter from database rows to the core's tidy table."""
