"""The values in a REDCap record export, one cell at a time.

- Choice answers come as raw codes (``2``) or, in a labels export, as the option's label
  (``Age 3 to 5``); both go through the question's :class:`~imheval.interop.model.AnswerMap`.
  A spreadsheet may have rewritten a whole number as ``2.0`` or, with a decimal comma, ``2,0``;
  those are read as ``2``.
- Checkbox columns (``field___code``) hold ``1``/``0`` (raw) or ``Checked``/``Unchecked``
  (labels); a box that was never shown is blank.
- The form status ``<form>_complete`` is ``0`` Incomplete, ``1`` Unverified, ``2`` Complete (or
  those words in a labels export); blank means REDCap has no status for that form at that event.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from imheval.interop.common import fold

#: An integral number as a spreadsheet may write it: ``3``, ``+3``, ``3.0``, ``3,00``.
_INTEGRAL = re.compile(r"([+-]?)0*(\d+)(?:[.,]0+)?")

#: Checkbox cells: ticked, and not ticked (blank: the box was not shown at that event).
_TICKED = frozenset({"1", "checked"})
_NOT_TICKED = frozenset({"0", "unchecked", ""})

#: The words of a labels export for checkbox cells, as the raw codes they stand for.
_CHECKBOX_WORDS = {"checked": "1", "unchecked": "0"}

#: Form status values, raw and labelled: True complete, False incomplete or unverified.
_STATUS = {
    "2": True,
    "complete": True,
    "0": False,
    "incomplete": False,
    "1": False,
    "unverified": False,
}


def integral(text: str) -> str | None:
    """``text`` as a whole number written plainly (``"3.0"`` → ``"3"``, ``"2,0"`` → ``"2"``,
    ``"+3"`` → ``"3"``), or None if it is not a whole number."""
    match = _INTEGRAL.fullmatch(text.strip())
    if match is None:
        return None
    sign, digits = match.groups()
    return ("-" if sign == "-" and digits.strip("0") else "") + (digits.lstrip("0") or "0")


@dataclass
class AnswerReader:
    """Reads one question's cells into imheval answers through its ``codes`` (raw codes and
    labels → imheval answers), and remembers the answers that are not among them."""

    codes: Mapping[str, str]
    #: An open (free-text) question: its text is kept exactly as written.
    open: bool = False
    #: A rating question: whole numbers are written plainly even when ``codes`` is empty.
    rating: bool = False
    #: Answers not among ``codes``, in the order first seen, with how often.
    unknown: dict[str, int] = field(default_factory=dict)
    #: Answers read only by rewriting a number (``2,0`` → ``2``), with how often.
    rewritten: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._folded: dict[str, str] = {}
        for name, value in self.codes.items():
            self._folded.setdefault(fold(name), value)

    def read(self, cell: str) -> str:
        """The imheval answer for ``cell`` ("" for blank). An answer that is not among the
        codes is returned as written (stripped), so scoring counts it invalid."""
        if self.open:
            return cell if cell.strip() else ""
        text = cell.strip()
        if not text:
            return ""
        if not self.codes:
            whole = integral(text) if self.rating else None
            return whole if whole is not None else text
        if text in self.codes:
            return self.codes[text]
        folded = fold(text)
        if folded in self._folded:
            return self._folded[folded]
        alias = _CHECKBOX_WORDS.get(folded)
        if alias is not None and alias in self.codes:
            return self.codes[alias]
        whole = integral(text)
        if whole is not None and whole in self.codes:
            self.rewritten[text] = self.rewritten.get(text, 0) + 1
            return self.codes[whole]
        self.unknown[text] = self.unknown.get(text, 0) + 1
        return text

    def lookup(self, text: str) -> str | None:
        """The imheval answer for a raw code or label (case ignored), else None."""
        if text in self.codes:
            return self.codes[text]
        return self._folded.get(fold(text))

    def code_of(self, raw: str) -> str:
        """The imheval answer a checkbox column's code (the part after ``___``) stands for:
        REDCap writes the code lower-cased and with characters a column name cannot hold
        changed, so it is compared loosely; as written when nothing matches."""
        found = self.lookup(raw)
        if found is not None:
            return found
        wanted = _column_safe(raw)
        for name, value in self.codes.items():
            if _column_safe(name) == wanted:
                return value
        return raw


def _column_safe(code: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", fold(code)).strip("_")


def tick(cell: str) -> bool | None:
    """Whether a checkbox cell is ticked; None when it holds something else."""
    folded = fold(cell)
    if folded in _TICKED:
        return True
    if folded in _NOT_TICKED:
        return False
    return None


def status(cell: str) -> bool | None:
    """A form status cell: True complete, False incomplete or unverified, None blank or not a
    status REDCap writes."""
    return _STATUS.get(fold(cell))


#: Codes that a spreadsheet has turned into dates: 12-Mar, Mar-12, 12/03/2025, 2025-03-12.
_DATE_LIKE = re.compile(
    r"\d{1,2}-[A-Za-z]{3}(?:-\d{2,4})?|[A-Za-z]{3}-\d{2,4}|\d{1,2}/\d{1,2}/\d{2,4}"
    r"(?: \d{1,2}:\d{2}(?::\d{2})?)?|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?"
)


def looks_like_date(text: str) -> bool:
    """Whether a self-generated code looks like a date a spreadsheet made of it (Excel turns
    ``MAR12`` typed as ``Mar-12`` or ``3-12`` into a date)."""
    return _DATE_LIKE.fullmatch(text.strip()) is not None
