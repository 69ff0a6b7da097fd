"""The errors imheval raises.

Every error imheval raises on purpose derives from :class:`ImhevalError`, and also from the
built-in exception it most resembles, so callers can catch either. The command line turns any
``ImhevalError`` into a plain message and exit status 1; nobody sees a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: How many row numbers a message lists before saying "and N more".
MAX_ROWS_LISTED = 10


def list_rows(rows: Sequence[int], limit: int = MAX_ROWS_LISTED) -> str:
    """Row numbers for a message, shortened: "rows 4, 9, 12 and 199,997 more".

    Every message that names several rows goes through this, so a file with a code repeated
    200,000 times gives a one-line message, not a page of numbers. One row reads "row 4", two
    or more up to ``limit`` "rows 4, 9 and 12".
    """
    if not rows:
        return "no rows"
    if len(rows) == 1:
        return f"row {rows[0]}"
    if len(rows) <= limit:
        listed = ", ".join(str(row) for row in rows[:-1])
        return f"rows {listed} and {rows[-1]}"
    # Row numbers are written without thousands separators: they are listed with commas.
    listed = ", ".join(str(row) for row in rows[:limit])
    return f"rows {listed} and {len(rows) - limit:,} more"


class ImhevalError(Exception):
    """Base class of every error imheval raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can.

    ``row`` is the spreadsheet row number a person would see (the header is row 1, so the first
    data row is row 2); ``item`` names an instrument item; ``field`` names another part of an
    instrument file (e.g. ``version`` or ``scales.confidence``). Any may be None when the
    problem belongs to the whole file or the whole column.
    """

    file: str
    message: str
    row: int | None = None
    column: str | None = None
    item: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        if self.item is not None:
            where.append(f"item '{self.item}'")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class ProblemsError(ImhevalError):
    """Base for errors that carry a list of located :class:`Problem` objects."""

    #: How many problems the message lists before saying "and N more".
    max_listed = 20

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        if not problems:
            raise ValueError("an error needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._message())

    def _message(self) -> str:
        lines = [str(p) for p in self.problems[: self.max_listed]]
        hidden = len(self.problems) - self.max_listed
        if hidden > 0:
            lines.append(f"... and {hidden} more problem(s)")
        return "\n".join(lines)


class InstrumentError(ProblemsError, ValueError):
    """Raised when an instrument file cannot be read or is not valid."""


class UnknownInstrumentError(ImhevalError, LookupError):
    """Raised when an instrument id is not in the built-in bank and is not a file."""


class DataFormatError(ProblemsError, ValueError):
    """Raised when a responses file cannot be read or has invalid content (nothing is imported)."""


class AnalysisError(ImhevalError, ValueError):
    """Raised when an analysis cannot run at all, e.g. no domain has any matched pair."""


class RegisterError(ProblemsError, ValueError):
    """Raised when a network group's register (meetings, members, attendance) is not valid."""


class AttendanceError(ImhevalError, ValueError):
    """Raised when the attendance rule cannot be applied, e.g. a held meeting after as-of."""


class TranscriptError(ProblemsError, ValueError):
    """Raised when a transcript, its speaker pattern or its list of names cannot be read."""


class RefiError(ProblemsError, ValueError):
    """Raised when a REFI-QDA project (.qdpx) or codebook (.qdc) cannot be read safely or is
    not valid (nothing is imported)."""


class CoverageError(ProblemsError, ValueError):
    """Raised when a workforce coverage input (establishment, training records, requirements,
    births or a framework ladder) cannot be read or is not valid (nothing is used)."""
