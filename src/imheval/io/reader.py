"""Reading responses from CSV and XLSX files (tidy or wide layout) into a :class:`ResponseTable`.

The file format is described for users in docs/data-format.md; keep the two in step. In short:

* **tidy**: a ``timepoint`` column; one row per participant per timepoint;
* **wide**: no ``timepoint`` column; one row per participant, answer columns prefixed
  ``pre_``, ``post_`` or ``followup_`` (also ``follow_up_``).

Every check is vectorised over whole columns; Python loops run only over columns and over the
rows that have a problem, so large files (hundreds of thousands of rows) read in seconds.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from imheval.errors import DataFormatError, Problem, list_rows
from imheval.io._arrow_csv import release_memory
from imheval.io._distinct import Distinct
from imheval.io._sheet import DEFAULT_MAX_ROWS, Sheet, column_letter, read_sheet
from imheval.io.retrospective import then_name
from imheval.io.table import (
    FORM,
    RESERVED_COLUMNS,
    SOURCE_ROW,
    TIMEPOINTS,
    Layout,
    ResponseTable,
)

#: The cohort every row gets when a file has no ``cohort`` column.
SINGLE_COHORT: Final = "(all)"

#: Accepted spellings of each timepoint value (compared after stripping and lower-casing).
TIMEPOINT_SPELLINGS: Final = {
    "pre": "pre",
    "post": "post",
    "followup": "followup",
    "follow-up": "followup",
    "follow_up": "followup",
    "follow up": "followup",
}

#: Column-name prefixes of a wide file (compared lower-cased) and the timepoint each means.
WIDE_PREFIXES: Final = (
    ("pre_", "pre"),
    ("post_", "post"),
    ("followup_", "followup"),
    ("follow_up_", "followup"),
)

#: A number as a person types it: digits with an optional '.' fraction and exponent. Python's
#: float() alone would also take 'nan', 'inf' and '1_000', which are not answers.
_PLAIN_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_ALLOWED_TIMEPOINTS = "pre, post, followup (also written follow-up or follow_up)"
_MAX_NAMES_LISTED = 12


@dataclass(frozen=True, slots=True)
class _Column:
    """One column of the file that we use: where it is and what it holds."""

    position: int  # column label in Sheet.cells
    header: str  # as typed, stripped; used in messages
    name: str  # reserved column name, item id or domain-total name
    timepoint: str | None = None  # wide files: the timepoint its prefix names


@dataclass(slots=True)
class _Plan:
    """What the header says: the layout, the reserved columns and the answer columns."""

    layout: Layout
    reserved: dict[str, _Column]
    measures: list[_Column]
    measure_names: list[str]  # output columns in order (item ids, or total names)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # headers of the columns left out
    then: list[str] = field(default_factory=list)  # '<item>@then' answers, in measure_names


@dataclass(frozen=True, slots=True)
class Reading:
    """A whole file read and checked, without stopping at the first problem.

    ``table`` holds every row that could be read (a cell with a problem is blank in it: an
    unknown timepoint is "", a total that is not a number is NaN), so a caller can add its own
    checks of the rows and report them with the reader's. ``problems`` lists every problem
    found, in row order; a file with any is not to be imported. ``unknown_columns`` names the
    columns that are neither reserved nor answers (they are left out of ``table``, and named in
    its warnings); ``header_row`` is the row a person sees the column names on.
    """

    table: ResponseTable
    problems: tuple[Problem, ...]
    unknown_columns: tuple[str, ...]
    header_row: int


def read_responses(
    path: str | os.PathLike[str],
    *,
    item_columns: Collection[str] | None = None,
    progress: Callable[[str], None] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ResponseTable:
    """Read a responses file (CSV or XLSX, tidy or wide) into a :class:`ResponseTable`.

    With ``item_columns`` (the item ids of the instruments) the answer columns are kept as
    stripped text ("" for blank) and other non-reserved columns are ignored with a warning that
    names them; item columns missing from the file are blank answers (with a warning) unless
    none at all is present. Without ``item_columns`` every non-reserved column is a domain total
    (float, NaN for an empty cell = not measured). ``progress`` is called with a short message
    at each stage.

    Work is bounded by the file, not by what it claims: a file with more than ``max_rows``
    rows below its header (blank rows count), more than 1,000 named columns, an XLSX that
    expands like a zip bomb or holds formulas with no saved value, or text that is binary or
    UTF-16 without a byte-order mark is refused with a message saying so (see
    docs/data-format.md); reading stops as soon as the file is over a limit.

    Participant codes are normalised (:func:`imheval.io.table.normalise_code`). The whole file
    is checked before anything is refused (:func:`check_responses`): raises
    :class:`DataFormatError` listing every problem found (file, spreadsheet row, column), the
    header's and the rows' together; nothing is imported when there is any problem.
    """
    reading = check_responses(path, item_columns=item_columns, progress=progress, max_rows=max_rows)
    if reading.problems:
        raise DataFormatError(reading.problems)
    return reading.table


def check_responses(
    path: str | os.PathLike[str],
    *,
    item_columns: Collection[str] | None = None,
    progress: Callable[[str], None] | None = None,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> Reading:
    """Read and check the whole of a responses file; every problem is listed, none raised.

    As :func:`read_responses` (same arguments), but a problem in the header or in a row does
    not stop the check: the :class:`Reading` lists them all, with the rows that could be read,
    so a caller (the web import) can add its own row checks and report everything in one go.
    Raises :class:`DataFormatError` only when the file cannot be read as a table at all
    (missing, empty, not CSV or XLSX, over a limit). A file with no ``participant`` column
    lists the header's problems only.
    """
    file_path = Path(path)
    file = file_path.name
    say = progress if progress is not None else _silent
    items = None if item_columns is None else tuple(dict.fromkeys(str(i) for i in item_columns))
    if items is not None and not items:
        raise ValueError("item_columns is empty; pass None to read domain totals")

    try:
        file_bytes = file_path.stat().st_size
    except OSError:
        file_bytes = 0  # read_sheet says what is wrong with the path
    megabytes = file_bytes / 1e6
    size = f" ({megabytes:,.0f} MB)" if megabytes >= 1 else ""
    say(f"reading {file}{size}")
    sheet = read_sheet(file_path, file, max_rows=max_rows, progress=say)
    plan = _plan_columns(sheet, items, file)

    say(f"checking {len(sheet.rows):,} rows")
    cells, rows = _used_cells(sheet, plan)
    header_row = sheet.header_row
    del sheet  # its cells were consumed by _used_cells
    problems = list(plan.problems)
    base = _check_reserved(cells, rows, plan, file, problems)
    measures = _parse_measures(cells, rows, plan, items is not None, file, problems)
    if plan.layout == "wide":
        say("reshaping wide layout to one row per participant per timepoint")
        frame = _wide_to_tidy(base, measures, plan, items is not None)
    else:
        frame = _tidy_frame(base, measures, plan, items is not None)
    if "participant" in plan.reserved:
        problems.extend(_duplicate_problems(frame, plan.reserved["participant"].header, file))
    else:
        # Without the code column the code is probably under another name, whose cells would
        # each be reported as a wrong answer: the header's problems say what to fix.
        problems = list(plan.problems)

    if plan.layout == "wide" and plan.measures:
        skipped = int((~_any_measure(measures, plan)).sum())
        if skipped:
            plan.warnings.append(
                f"{skipped} row(s) had no answer at any timepoint and were left out"
            )
    if items is None and not problems:
        frame, dropped = _drop_empty_totals(frame, plan.measure_names)
        if dropped:
            plan.warnings.append(
                "column(s) with no values at all were left out: " + _names(dropped)
            )
        score_columns = tuple(n for n in plan.measure_names if n not in dropped)
        item_ids: tuple[str, ...] = ()
    elif items is None:
        score_columns, item_ids = tuple(plan.measure_names), ()
    else:
        score_columns = ()
        item_ids = tuple(n for n in plan.measure_names if n not in plan.then)
    if items is not None and plan.layout == "wide":
        # Answers repeat a few texts: one byte per cell instead of a pointer.
        for name in plan.measure_names:
            if name in frame.columns:
                frame[name] = frame[name].astype("category")
    say(f"read {len(frame):,} rows from {file}")
    release_memory(file_bytes)
    table = ResponseTable(
        frame=frame,
        source=str(path),
        layout=plan.layout,
        item_columns=item_ids,
        score_columns=score_columns,
        warnings=tuple(plan.warnings),
        then_columns=tuple(plan.then),
    )
    return Reading(
        table=table,
        problems=tuple(sorted(problems, key=_problem_order)),
        unknown_columns=tuple(plan.unknown),
        header_row=header_row,
    )


def ignored_columns_warning(names: Sequence[str], *, with_items: bool = True) -> str:
    """The warning naming the columns a file was read without (``with_items``: read with an
    instrument's item ids; else a wide file's columns with no timepoint prefix)."""
    why = (
        "neither reserved nor an item of the instrument"
        if with_items
        else "no timepoint prefix in a wide file"
    )
    return f"column(s) ignored ({why}): " + _names(names)


def _silent(_message: str) -> None:
    return None


# --- the header -----------------------------------------------------------------------------


def _plan_columns(sheet: Sheet, items: tuple[str, ...] | None, file: str) -> _Plan:
    """Classify every column from the header; its problems are on the plan, not raised.

    A column with a problem is left out of the plan, so the rows can still be checked.
    """
    problems: list[Problem] = []
    warnings: list[str] = []
    named: list[tuple[int, str]] = []
    for position in sorted(sheet.header):
        named.append((position, sheet.header[position].strip()))
    for position in sheet.unnamed:
        problems.append(
            Problem(
                file=file,
                row=sheet.header_row,
                column=column_letter(position),
                message="the column has values but no name in the header row",
            )
        )
    repeats = _repeated_headers(named, file)
    problems.extend(problem for _, problem in repeats)
    # The second of two same-named columns is left out, so its cells are not reported twice.
    left_out = {position for position, _ in repeats}
    named = [(position, header) for position, header in named if position not in left_out]

    reserved: dict[str, _Column] = {}
    others: list[tuple[int, str]] = []
    for position, header in named:
        key = header.lower()
        if key in RESERVED_COLUMNS or key == FORM:
            reserved[key] = _Column(position, header, key)
        elif key == SOURCE_ROW:
            warnings.append(f"column '{header}' was ignored: the reader numbers rows itself")
        else:
            others.append((position, header))

    layout: Layout = "tidy" if "timepoint" in reserved else "wide"
    if layout == "wide" and FORM in reserved:
        # One row holds every timepoint, so one cell cannot say the form of each.
        warnings.append(
            f"column '{reserved.pop(FORM).header}' was ignored: in a wide file the form of each "
            "timepoint is worked out from the items answered"
        )
    measures: list[_Column] = []
    ignored: list[str] = []
    if layout == "tidy":
        for position, header in others:
            measures.append(_Column(position, header, header))
    else:
        measures, ignored = _wide_columns(others, file, problems)
        if not measures and not problems:
            problems.append(
                Problem(
                    file=file,
                    message=(
                        "there is no 'timepoint' column and no column whose name starts with "
                        "pre_, post_ or followup_, so it is not known when the answers were "
                        "given (see docs/data-format.md)"
                    ),
                )
            )

    if "participant" not in reserved:
        problems.append(
            Problem(
                file=file,
                message="there is no 'participant' column (the anonymous code); columns found: "
                + _names(h for _, h in named),
            )
        )
    if "cohort" not in reserved:
        warnings.append(
            f"there is no 'cohort' column, so all rows form one cohort named '{SINGLE_COHORT}'"
        )

    if items is None:
        # 'Pre_Knowledge' and 'post_knowledge' are one domain, named as first written.
        first_spelling: dict[str, str] = {}
        for column in measures:
            first_spelling.setdefault(column.name.casefold(), column.name)
        measures = [
            _Column(c.position, c.header, first_spelling[c.name.casefold()], c.timepoint)
            for c in measures
        ]
        measure_names = list(first_spelling.values())
    else:
        thens = {c.position: then_name(c.name, items) for c in measures}
        measures = [replace(c, name=thens[c.position] or c.name) for c in measures]
        then = list(dict.fromkeys(name for name in thens.values() if name is not None))
        measures, measure_names = _match_items(measures, items, layout, file, problems, warnings)
        ignored.extend(c.header for c in measures if c.name not in items and c.name not in then)
        measures = [c for c in measures if c.name in items or c.name in then]
        measure_names.extend(then)
    if ignored:
        warnings.append(ignored_columns_warning(ignored, with_items=items is not None))
    repeated = _duplicate_measures(measures, file)
    problems.extend(repeated)
    doubled = {p.column for p in repeated}
    measures = [c for c in measures if c.header not in doubled]
    plan = _Plan(layout, reserved, measures, measure_names, warnings, problems, ignored)
    if items is not None:
        plan.then = then
    return plan


def _repeated_headers(named: list[tuple[int, str]], file: str) -> list[tuple[int, Problem]]:
    """Each column named as an earlier one (reserved names compared ignoring case)."""
    seen: dict[str, int] = {}
    problems = []
    for position, header in named:
        key = header.lower() if header.lower() in (*RESERVED_COLUMNS, FORM) else header
        if key in seen:
            first = column_letter(seen[key])
            problems.append(
                (
                    position,
                    Problem(
                        file=file,
                        column=header,
                        message=(
                            f"two columns have this name (columns {first} and "
                            f"{column_letter(position)}); rename or remove one"
                        ),
                    ),
                )
            )
        else:
            seen[key] = position
    return problems


def _wide_columns(
    others: list[tuple[int, str]], file: str, problems: list[Problem]
) -> tuple[list[_Column], list[str]]:
    """Split a wide file's non-reserved columns into prefixed answers and ignored columns."""
    measures: list[_Column] = []
    bare: list[tuple[int, str]] = []
    for position, header in others:
        lowered = header.lower()
        for prefix, timepoint in WIDE_PREFIXES:
            if lowered.startswith(prefix):
                name = header[len(prefix) :].strip()
                if not name:
                    problems.append(
                        Problem(
                            file=file,
                            column=header,
                            message="the name has a timepoint prefix but nothing after it",
                        )
                    )
                elif name.lower() in RESERVED_COLUMNS:
                    problems.append(
                        Problem(
                            file=file,
                            column=header,
                            message=(
                                f"'{name.lower()}' is a reserved column; in a wide file it "
                                "has no timepoint prefix (one value per participant)"
                            ),
                        )
                    )
                else:
                    measures.append(_Column(position, header, name, timepoint))
                break
        else:
            bare.append((position, header))
    prefixed = {c.name.casefold(): c.header for c in measures}
    ignored = []
    for _position, header in bare:
        if header.casefold() in prefixed:
            problems.append(
                Problem(
                    file=file,
                    column=header,
                    message=(
                        f"the column has no timepoint prefix, but '{prefixed[header.casefold()]}'"
                        " has one; in a wide file every answer column needs a prefix "
                        "(pre_, post_ or followup_)"
                    ),
                )
            )
        else:
            ignored.append(header)
    return measures, ignored


def _match_items(
    measures: list[_Column],
    items: tuple[str, ...],
    layout: Layout,
    file: str,
    problems: list[Problem],
    warnings: list[str],
) -> tuple[list[_Column], list[str]]:
    """Name each answer column by its item id (exact match, else ignoring case)."""
    by_casefold: dict[str, list[str]] = {}
    for item in items:
        by_casefold.setdefault(item.casefold(), []).append(item)
    matched: list[_Column] = []
    for column in measures:
        name = column.name
        if name not in items:
            candidates = by_casefold.get(name.casefold(), [])
            if len(candidates) == 1:
                name = candidates[0]
        matched.append(_Column(column.position, column.header, name, column.timepoint))

    found = [c for c in matched if c.name in items]
    if not found:
        problems.append(
            Problem(
                file=file,
                message=(
                    "none of the instrument's item columns is in the file; expected "
                    + _names(items)
                    + (" (with a pre_, post_ or followup_ prefix)" if layout == "wide" else "")
                ),
            )
        )
        return matched, list(items)
    timepoints: list[str | None] = [t for t in TIMEPOINTS if any(c.timepoint == t for c in found)]
    for timepoint in timepoints or [None]:
        present = {c.name for c in found if c.timepoint == timepoint}
        absent = [i for i in items if i not in present]
        if absent:
            at = f" at {timepoint}" if timepoint is not None else ""
            warnings.append(
                f"item column(s) not in the file{at}, read as blank answers: " + _names(absent)
            )
    return matched, list(items)


def _duplicate_measures(measures: list[_Column], file: str) -> list[Problem]:
    """Two columns that would fill the same answer (e.g. 'followup_k1' and 'follow_up_k1')."""
    seen: dict[tuple[str, str | None], _Column] = {}
    problems = []
    for column in measures:
        key = (column.name, column.timepoint)
        if key in seen:
            problems.append(
                Problem(
                    file=file,
                    column=column.header,
                    message=f"holds the same answer as column '{seen[key].header}'",
                )
            )
        else:
            seen[key] = column
    return problems


# --- the cells ------------------------------------------------------------------------------


def _used_cells(sheet: Sheet, plan: _Plan) -> tuple[dict[int, Distinct], np.ndarray]:
    """The stripped cells of the columns we use, without wholly blank rows.

    Consumes ``sheet.cells`` column by column: the raw text is the largest thing in memory, and
    dropping each column once it is condensed keeps the peak low for large files. Each column
    is visited once, so the work grows with the cells read, never with the columns squared.
    """
    used = {c.position for c in plan.reserved.values()} | {c.position for c in plan.measures}
    columns: dict[int, Distinct] = {}
    keep = np.zeros(len(sheet.rows), dtype=bool)
    for position in sorted(sheet.cells):
        column = Distinct.of(sheet.cells.pop(position))
        keep |= column.has_value()
        if position in used:
            columns[position] = column
    if keep.all():
        return columns, sheet.rows
    return {p: c.take(keep) for p, c in columns.items()}, sheet.rows[keep]


def _check_reserved(
    cells: dict[int, Distinct],
    rows: np.ndarray,
    plan: _Plan,
    file: str,
    problems: list[Problem],
) -> pd.DataFrame:
    """The reserved columns, checked and normalised; problems are appended."""
    n = len(rows)
    if n == 0:
        problems.append(Problem(file=file, message="the file has a header row but no data rows"))

    def text(name: str) -> pd.Series:
        column = plan.reserved.get(name)
        if column is None:
            return pd.Series([""] * n, dtype="str")
        return cells[column.position].series()

    if "participant" in plan.reserved:  # else the plan reported the missing column
        # Codes repeat at every timepoint: each distinct code is normalised once.
        codes = cells[plan.reserved["participant"].position].normalised_codes()
        header = plan.reserved["participant"].header
        _report_blank(codes, rows, header, "the participant code is empty", file, problems)
        participant = codes.series()
    else:
        participant = text("participant")
    if "cohort" in plan.reserved:
        cohorts = cells[plan.reserved["cohort"].position]
        header = plan.reserved["cohort"].header
        _report_blank(cohorts, rows, header, "the cohort is empty", file, problems)
        cohort = cohorts.series()
    else:
        cohort = pd.Series([SINGLE_COHORT] * n, dtype="str")
    base = pd.DataFrame(
        {
            "participant": participant,
            "cohort": cohort,
            "programme": text("programme"),
            "timepoint": _timepoints(cells, rows, plan, file, problems),
            "directorate": text("directorate"),
            "profession": text("profession"),
            SOURCE_ROW: rows.astype(np.int64),
        },
        copy=False,
    )
    if FORM in plan.reserved:
        # Checked against the instruments' forms when scoring, which knows them.
        base.insert(len(RESERVED_COLUMNS), FORM, text(FORM))
    return base


def _timepoints(
    cells: dict[int, Distinct], rows: np.ndarray, plan: _Plan, file: str, problems: list[Problem]
) -> pd.Series:
    if plan.layout == "wide":
        return pd.Series([""] * len(rows), dtype="str")  # filled in per timepoint when reshaping
    typed = cells[plan.reserved["timepoint"].position]
    canonical = np.array(
        [TIMEPOINT_SPELLINGS.get(str(v).lower(), "") for v in typed.distinct], dtype=object
    )[typed.codes]
    header = plan.reserved["timepoint"].header
    for index in np.flatnonzero(canonical == "").tolist():
        value = str(typed.distinct[typed.codes[index]])
        message = (
            f"the timepoint is empty; use one of {_ALLOWED_TIMEPOINTS}"
            if value == ""
            else f"unknown timepoint '{value}'; use one of {_ALLOWED_TIMEPOINTS}"
        )
        problems.append(Problem(file=file, row=int(rows[index]), column=header, message=message))
    return pd.Series(canonical, dtype="str")


def _report_blank(
    values: Distinct,
    rows: np.ndarray,
    column: str,
    message: str,
    file: str,
    problems: list[Problem],
) -> None:
    for index in np.flatnonzero(~values.has_value()):
        problems.append(Problem(file=file, row=int(rows[index]), column=column, message=message))


def _parse_measures(
    cells: dict[int, Distinct],
    rows: np.ndarray,
    plan: _Plan,
    as_items: bool,
    file: str,
    problems: list[Problem],
) -> dict[int, pd.Series]:
    """Each answer column by position: text for items, float for domain totals."""
    if as_items:
        if plan.layout == "tidy":
            return {c.position: cells[c.position].categorical() for c in plan.measures}
        return {c.position: cells[c.position].series() for c in plan.measures}
    return {
        c.position: _parse_total(cells[c.position], rows, c, file, problems) for c in plan.measures
    }


def _parse_total(
    typed: Distinct, rows: np.ndarray, column: _Column, file: str, problems: list[Problem]
) -> pd.Series:
    """A domain-total column as float (NaN for empty); non-numbers are reported."""
    parsed = np.full(len(typed.distinct), np.nan)
    bad = np.zeros(len(typed.distinct), dtype=bool)
    for index, text in enumerate(typed.distinct.tolist()):
        if text == "":
            continue
        number = float(text) if _PLAIN_NUMBER.fullmatch(text) else np.nan
        if np.isfinite(number):
            parsed[index] = number
        else:
            bad[index] = True
    if bad.any():
        for row_index in np.flatnonzero(bad[typed.codes]).tolist():
            value = str(typed.distinct[typed.codes[row_index]])
            hint = " (use '.' as the decimal point)" if "," in value else ""
            hint = hint or " (leave the cell empty when the domain was not measured)"
            problems.append(
                Problem(
                    file=file,
                    row=int(rows[row_index]),
                    column=column.header,
                    message=f"'{value}' is not a number{hint}",
                )
            )
    return pd.Series(parsed[typed.codes], dtype=np.float64)


# --- building the table ---------------------------------------------------------------------


def _tidy_frame(
    base: pd.DataFrame, measures: dict[int, pd.Series], plan: _Plan, as_items: bool
) -> pd.DataFrame:
    by_name = {c.name: measures[c.position] for c in plan.measures}
    columns = {
        name: by_name[name] if name in by_name else _blank(len(base), as_items)
        for name in plan.measure_names
    }
    # One frame built from the columns as they are: a concat would copy every answer column.
    return pd.DataFrame(
        {**{name: base[name] for name in base.columns}, **columns}, index=base.index, copy=False
    )


def _wide_to_tidy(
    base: pd.DataFrame, measures: dict[int, pd.Series], plan: _Plan, as_items: bool
) -> pd.DataFrame:
    """One row per participant per timepoint with at least one non-empty answer."""
    parts = []
    for timepoint in TIMEPOINTS:
        columns = [c for c in plan.measures if c.timepoint == timepoint]
        if not columns:
            continue
        answered = np.zeros(len(base), dtype=bool)
        for column in columns:
            answered |= _is_answered(measures[column.position])
        by_name = {c.name: measures[c.position][answered] for c in columns}
        count = int(answered.sum())
        part = base.loc[answered].assign(timepoint=timepoint)
        values = {
            name: by_name[name] if name in by_name else _blank(count, as_items, part.index)
            for name in plan.measure_names
        }
        parts.append(pd.concat([part, pd.DataFrame(values, index=part.index)], axis=1))
    if not parts:  # no answer column could be used (the plan says why)
        return _tidy_frame(base.iloc[0:0], {}, _Plan(plan.layout, {}, [], []), as_items)
    frame = pd.concat(parts, ignore_index=True)
    timepoint_order = frame["timepoint"].map({t: i for i, t in enumerate(TIMEPOINTS)})
    order = np.lexsort((timepoint_order.to_numpy(), frame[SOURCE_ROW].to_numpy()))
    return frame.iloc[order].reset_index(drop=True)


def _any_measure(measures: dict[int, pd.Series], plan: _Plan) -> np.ndarray:
    n = len(next(iter(measures.values()))) if measures else 0
    answered = np.zeros(n, dtype=bool)
    for column in plan.measures:
        answered |= _is_answered(measures[column.position])
    return answered


def _is_answered(values: pd.Series) -> np.ndarray:
    if values.dtype == np.float64:
        return values.notna().to_numpy()
    return (values != "").to_numpy()


def _blank(n: int, as_items: bool, index: pd.Index | None = None) -> pd.Series:
    if as_items:
        blank = pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), pd.Index([""], dtype="str"))
        return pd.Series(blank, index=index)
    return pd.Series(np.full(n, np.nan), index=index, dtype=np.float64)


def _duplicate_problems(frame: pd.DataFrame, header: str, file: str) -> list[Problem]:
    """One problem per code that appears twice in one cohort at one timepoint."""
    keys = ["cohort", "participant", "timepoint"]
    repeated = _repeated_rows(frame, keys)
    if not repeated.any():
        return []
    # Group the few repeated rows; in a wide file one pair of rows repeats at each timepoint,
    # so timepoints sharing the same rows make one problem.
    groups: dict[tuple[str, str, tuple[int, ...]], list[str]] = {}
    subset = frame.loc[repeated, [*keys, SOURCE_ROW]]
    for (cohort, code, timepoint), rows in subset.groupby(keys, sort=False)[SOURCE_ROW]:
        row_numbers = tuple(sorted(int(r) for r in rows))
        groups.setdefault((str(cohort), str(code), row_numbers), []).append(str(timepoint))
    problems = []
    for (cohort, code, row_numbers), timepoints in groups.items():
        at = " and ".join(sorted(timepoints, key=_tp_order))
        problems.append(
            Problem(
                file=file,
                row=row_numbers[-1],
                column=header,
                message=(
                    f"participant code '{code}' appears more than once in cohort '{cohort}' "
                    f"at {at} ({list_rows(row_numbers)})"
                ),
            )
        )
    return problems


def _repeated_rows(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Which rows share all of ``keys`` with another row, none of the keys blank."""
    # Each key's texts as codes (hashing plain objects is faster than the string dtype's path),
    # joined into one number per row: equal numbers are equal keys.
    joined = np.zeros(len(frame), dtype=np.int64)
    # Rows with a blank key are reported as such; they are not duplicates of each other.
    complete = np.ones(len(frame), dtype=bool)
    for key in keys:
        codes, texts = pd.factorize(frame[key].to_numpy(dtype=object), use_na_sentinel=False)
        joined = joined * len(texts) + codes
        complete &= (np.asarray(texts, dtype=object) != "")[codes]
    repeated: np.ndarray = pd.Series(joined).duplicated(keep=False).to_numpy() & complete
    return repeated


def _drop_empty_totals(frame: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, list[str]]:
    empty = [n for n in names if not frame[n].notna().any()]
    if not empty or len(frame) == 0:
        return frame, []
    return frame.drop(columns=empty), empty


# --- small helpers --------------------------------------------------------------------------


def _names(names: Iterable[str]) -> str:
    listed = list(names)
    shown = ", ".join(listed[:_MAX_NAMES_LISTED])
    if len(listed) > _MAX_NAMES_LISTED:
        shown += f" and {len(listed) - _MAX_NAMES_LISTED} more"
    return shown or "(none)"


def _tp_order(timepoint: str) -> int:
    return TIMEPOINTS.index(timepoint) if timepoint in TIMEPOINTS else len(TIMEPOINTS)


def _problem_order(problem: Problem) -> tuple[int, str]:
    return (problem.row or 0, problem.column or "")
