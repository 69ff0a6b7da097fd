"""``imheval qual import`` and ``imheval qual export``: REFI-QDA projects in and out of the web
app's database (registered on :data:`imheval.cli.qual.app`)."""

from __future__ import annotations

from imheval.cli.qual import app

__all__ = ["app"]
