"""A source's text as REFI-QDA files carry it: UTF-8 bytes, line ends, and positions.

imheval keeps text with ``\\n`` line ends. Files from Windows have ``\\r\\n``, and tools count
those differently: ATLAS.ti counts ``\\r\\n`` as one code point, NVivo, MAXQDA and the others
as two (QualCoder issue 37). :class:`PlainText` moves a file's positions onto the normalised
text so that the coded passage comes out the same.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_CRLF = re.compile("\r\n")


def counts_crlf_as_one(origin: str) -> bool:
    """True for tools that count ``\\r\\n`` as one code point (ATLAS.ti)."""
    return origin.strip().lower().startswith("atlas")


def decode_text(data: bytes) -> tuple[str | None, str]:
    """The text of a UTF-8 file without its BOM, or None and why it is not UTF-8 text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, (
            f"is not UTF-8 text (byte 0x{data[error.start]:02X} at byte {error.start:,}); "
            "save it as UTF-8 and export again"
        )
    if "\x00" in text:
        return None, "is not plain text (it has NUL characters)"
    return text.removeprefix("\ufeff"), ""


@dataclass(frozen=True)
class PlainText:
    """A source's text with ``\\n`` line ends, and how the file's positions map onto it.

    ``limit`` is the largest position the file may use; ``crlf`` holds where each ``\\r\\n``
    starts in the file's text when the file counts it as two code points (else it is empty).
    """

    text: str
    limit: int
    crlf: tuple[int, ...] = ()
    had_crlf: bool = False

    @classmethod
    def read(cls, raw: str, origin: str) -> PlainText:
        """``raw`` (a file's text) as ``origin`` (the exporting tool) counts its positions."""
        text = raw.replace("\r\n", "\n").replace("\r", "\n")
        if "\r\n" not in raw:
            return cls(text, len(text))
        if counts_crlf_as_one(origin):
            return cls(text, len(text), had_crlf=True)
        pairs = tuple(match.start() for match in _CRLF.finditer(raw))
        return cls(text, len(raw), pairs, had_crlf=True)

    def position(self, file_position: int) -> int:
        """A position in the file's counting, as a position in :attr:`text`."""
        return file_position - bisect.bisect_left(self.crlf, file_position)
