"""``imheval network``: network groups from files (the attendance rule)."""
