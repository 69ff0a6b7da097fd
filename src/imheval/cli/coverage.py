"""``imheval coverage``: workforce coverage from spreadsheets (establishment, training records,
required levels)."""

from __future__ import annotations
