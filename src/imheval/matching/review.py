"""The review CSV: probable matches written for a person to confirm; the confirmed ones read back.

Cells are neutralised on the way out (formula injection) and restored on the way in.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

from imheval.errors import DataFormatError, Problem
from imheval.io.csvsafe import neutralise_row, restore_cell
from imheval.io.table import normalise_code
from imheval.matching.results import (
    MatchResult,
)

#: Columns of the review CSV, in order (``ambiguous`` says a code has more than one candidate).
REVIEW_COLUMNS: Final = (
    "cohort",
    "earlier_timepoint",
    "earlier_code",
    "later_timepoint",
    "later_code",
    "reason",
    "ambiguous",
    "accept",
)
_ACCEPT_YES: Final = frozenset({"yes", "y", "true", "1"})
_ACCEPT_NO: Final = frozenset({"", "no", "n", "false", "0"})


def to_review_csv(result: MatchResult, path: str | Path) -> None:
    """Write the probable matches as a CSV for a person to review.

    Columns: see :data:`REVIEW_COLUMNS`. ``accept`` is blank; the reviewer writes ``yes`` for
    pairs that are one person, then passes the file to :func:`read_accepted_csv`. ``ambiguous``
    is ``yes`` when a code has more than one candidate. Written as UTF-8 with a byte-order mark
    so that spreadsheet programs open it correctly.
    """
    rows = (
        (
            probable.cohort,
            probable.earlier_timepoint,
            probable.earlier_code,
            probable.later_timepoint,
            probable.later_code,
            probable.reason,
            "yes" if probable.ambiguous else "",
            "",
        )
        for probable in result.probable_matches
    )
    Path(path).write_text(review_csv_text(rows), encoding="utf-8-sig", newline="")


def review_csv_text(rows: Iterable[Sequence[str]]) -> str:
    """A review CSV as text: the :data:`REVIEW_COLUMNS` header, then ``rows`` in that order.

    Shared by :func:`to_review_csv` and by writers of decisions already made (``accept`` yes or
    no), so every review file :func:`read_accepted_csv` reads has one layout. Lines end in CRLF;
    save the text as UTF-8 with a byte-order mark (``utf-8-sig``) for spreadsheet programs.
    A cell that starts like a formula (a cohort named "=...") gets an apostrophe in front
    (:func:`imheval.io.csvsafe.neutralise_cell`); :func:`read_accepted_csv` removes it.
    """
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(REVIEW_COLUMNS)
    for row in rows:
        if len(row) != len(REVIEW_COLUMNS):
            raise ValueError(f"a review row has {len(REVIEW_COLUMNS)} cells, not {len(row)}")
        writer.writerow(neutralise_row(row))
    return text.getvalue()


def read_accepted_csv(path: str | Path) -> tuple[tuple[str, str, str], ...]:
    """The (cohort, earlier_code, later_code) triples a reviewer accepted in a review CSV.

    A row is accepted when its ``accept`` cell is yes, y, true or 1 (any case); blank, no, n,
    false and 0 reject it. Codes are normalised like the data (upper case, no spaces). Needs the
    columns cohort, earlier_code, later_code and accept; others are ignored.

    Raises :class:`~imheval.errors.DataFormatError` naming the file, row and column when the file
    cannot be read, a column is missing, an ``accept`` cell is something else, or an accepted
    row has an empty cohort or code. Nothing is returned unless every row is valid.
    """
    source = str(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            rows = [[restore_cell(cell) for cell in row] for row in csv.reader(handle)]
    except FileNotFoundError:
        raise DataFormatError([Problem(source, "the file does not exist")]) from None
    except UnicodeDecodeError:
        raise DataFormatError(
            [Problem(source, "the file is not UTF-8 text; save it as CSV UTF-8")]
        ) from None
    except (OSError, csv.Error) as error:
        raise DataFormatError([Problem(source, f"the file cannot be read: {error}")]) from None
    if not rows:
        raise DataFormatError([Problem(source, "the file is empty; expected a header row")])

    header = [cell.strip().lower() for cell in rows[0]]
    required = ("cohort", "earlier_code", "later_code", "accept")
    missing = [column for column in required if column not in header]
    if missing:
        raise DataFormatError(
            [Problem(source, "the column is missing", row=1, column=c) for c in missing]
        )
    where = {column: header.index(column) for column in required}

    problems: list[Problem] = []
    accepted: list[tuple[str, str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue

        def cell(column: str, row: list[str] = row) -> str:
            index = where[column]
            return row[index].strip() if index < len(row) else ""

        decision = cell("accept").lower()
        if decision in _ACCEPT_NO:
            continue
        if decision not in _ACCEPT_YES:
            problems.append(
                Problem(
                    source,
                    f"accept must be yes or no (or blank), not '{cell('accept')}'",
                    row=number,
                    column="accept",
                )
            )
            continue
        empty = [column for column in ("cohort", "earlier_code", "later_code") if not cell(column)]
        for column in empty:
            problems.append(
                Problem(source, "an accepted row needs a value here", row=number, column=column)
            )
        if empty:
            continue
        accepted.append(
            (
                cell("cohort"),
                normalise_code(cell("earlier_code")),
                normalise_code(cell("later_code")),
            )
        )
    if problems:
        raise DataFormatError(problems)
    return tuple(accepted)
