"""Dates as people write them in spreadsheets: ISO (2026-03-31), an Excel date read as text
(2026-03-31T00:00:00), or the UK's day first (31/03/2026). US month-first dates are never
guessed: 03/31/2026 is not a date here."""

from __future__ import annotations

import datetime
import re

_UK_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MIDNIGHT = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]00:00(?::00(?:\.0+)?)?")


def parse_date(text: str) -> datetime.date | None:
    """The date ``text`` names, or None if it names none (a typo, 30 February, US order).

    >>> parse_date("31/03/2026"), parse_date("2026-03-31T00:00:00"), parse_date("03/31/2026")
    (datetime.date(2026, 3, 31), datetime.date(2026, 3, 31), None)
    """
    text = text.strip()
    midnight = _MIDNIGHT.fullmatch(text)
    if midnight:
        text = midnight.group(1)
    if len(text) == 10 and text[4] == "-":
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            return None
    uk = _UK_DATE.fullmatch(text)
    if uk:
        day, month, year = (int(part) for part in uk.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            return None
    return None
