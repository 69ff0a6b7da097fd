"""Whole numbers from a form or an address, read without a server error.

``"²".isdigit()`` and ``"٣".isdigit()`` are true, yet ``int("²")`` raises and ``int("٣")`` reads
3; a 30-digit number passes ``int`` and then overflows the database's integer. Every number a
qualitative page reads from ``request.POST`` or ``request.GET`` goes through :func:`posted_pk`,
which takes ASCII digits only and few enough of them for the column they are compared with.
"""

from __future__ import annotations

import re

#: A primary key is a 64-bit integer: 18 digits always fit.
PK_DIGITS = 18
#: A text position or count is a 32-bit integer: 9 digits always fit.
POSITION_DIGITS = 9

_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def posted_pk(value: object, digits: int = PK_DIGITS) -> int | None:
    """``value`` as a whole number when it is 1 to ``digits`` ASCII digits (spaces around are
    ignored), else None: ``posted_pk("12") == 12``, ``posted_pk("²") is None``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not 0 < len(text) <= digits or not _DIGITS.fullmatch(text):
        return None
    return int(text)


def posted_pks(values: list[str], digits: int = PK_DIGITS) -> set[int]:
    """The whole numbers among ``values`` (a ``getlist``), the rest left out."""
    return {pk for value in values if (pk := posted_pk(value, digits)) is not None}
