"""Reading numbers from a request's query string, for every view that takes one.

A query string is typed by anyone: ``?after=²`` passes ``str.isdigit`` but ``int`` refuses it,
``?after=99999999999999999999`` overflows a database integer, and ``?after=-1`` is meaningless.
A view asks here, and gets a number in its range or None; it never parses the text itself.
"""

from __future__ import annotations

import re

from django.http import HttpRequest

# ASCII digits only ("²" and "٣" are digits to str.isdigit), and few enough for any integer field.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}", re.ASCII)


def query_number(
    request: HttpRequest, name: str, *, minimum: int = 0, maximum: int = 2**31 - 1
) -> int | None:
    """The whole number in the query parameter ``name`` if it is one within ``minimum`` and
    ``maximum`` (inclusive); None if the parameter is missing, not plain ASCII digits, or out of
    range. Never raises for what a visitor typed."""
    text = request.GET.get(name, "")
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None
