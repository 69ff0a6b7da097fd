"""What the REFI-QDA reader and writer share: namespaces, names, GUIDs, colours, dates."""

from __future__ import annotations

import datetime
import re

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"

#: The archive member that holds the project.
PROJECT_MEMBER = "project.qde"
#: The archive folder that holds the sources' text files.
SOURCES_FOLDER = "sources/"

#: The note imheval links exemplar codings to (REFI-QDA has no exemplar flag): a ``Coding``
#: with a ``NoteRef`` to a note of this name is an exemplar quote. Other tools show the note
#: and the links, so an analyst there can still see which quotes were marked.
EXEMPLAR_NOTE_NAME = "Exemplar quotes (imheval)"
EXEMPLAR_NOTE_TEXT = (
    "imheval marks a coding as an exemplar quote by linking it to this note. "
    "Every coding that refers to this note was chosen as an exemplar."
)

_GUID = re.compile(
    r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$"
)
_HEX6 = re.compile(r"^#?([0-9a-fA-F]{6})([0-9a-fA-F]{2})?$")
_HEX3 = re.compile(r"^#([0-9a-fA-F]{3})$")
_RGB = re.compile(
    r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*[\d.]+\s*)?\)$", re.I
)


def normal_guid(value: str) -> str | None:
    """``value`` as an upper-case hyphenated GUID (braces dropped), or None if it is not one."""
    match = _GUID.match(value.strip())
    return match.group(1).upper() if match else None


def looks_like_guid(name: str) -> bool:
    """True when a name is a GUID (NVivo names sources this way), so a person cannot read it."""
    return normal_guid(name) is not None


def normal_colour(value: str) -> str | None:
    """A colour as ``#RRGGBB``, from ``#RRGGBB``, ``#RGB``, ``#RRGGBBAA``, ``RRGGBB``,
    ``rgb(r, g, b)`` or a decimal integer; None when it cannot be read."""
    text = value.strip()
    if match := _HEX6.match(text):
        return "#" + match.group(1).upper()
    if match := _HEX3.match(text):
        return "#" + "".join(digit * 2 for digit in match.group(1)).upper()
    if match := _RGB.match(text):
        channels = [int(match.group(i)) for i in (1, 2, 3)]
        if all(0 <= channel <= 255 for channel in channels):
            return "#" + "".join(f"{channel:02X}" for channel in channels)
        return None
    if text.isdigit() and int(text) <= 0xFFFFFF:
        return f"#{int(text):06X}"
    return None


def parse_datetime(value: str | None) -> datetime.datetime | None:
    """An xsd:dateTime as a datetime, or None when absent or unreadable."""
    if not value:
        return None
    try:
        return datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        return None


def format_datetime(moment: datetime.datetime) -> str:
    """A datetime as xsd:dateTime, UTC written with ``Z``."""
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
