"""Writing a :class:`ResponseTable` back out: CSV and XLSX in the tidy layout the reader reads,
and SPSS .sav with variable and value labels.

The readers' inverse, so ``read -> write -> read`` gives the same table (tests/io/
test_writers.py), and an export given to ``imheval analyse`` gives the same evaluation. Used by
``imheval export`` and by the web app's response downloads (which add only the HTTP parts).

* CSV and XLSX: the columns participant, cohort, programme, timepoint, directorate,
  profession, then one column per item (answers as given, text) or per already-scored domain
  total (numbers; blank = not measured). Nothing a participant typed can become a spreadsheet
  formula: XLSX text cells are all typed as text, and a CSV cell that starts like a formula
  (=, +, -, @, tab, carriage return; plain numbers aside) is written with an apostrophe in
  front, which imheval's reader removes (:mod:`imheval.io.csvsafe`).
* SPSS .sav: the same columns, plus ``source`` when the caller knows how each response was
  collected. Variable labels hold the item text; keyed (multiple-choice) items are numeric
  codes 1, 2, 3 ... in the instrument's option order with the option text as value labels
  ("b) ... [correct]" marks the key); rating items hold the rating as answered (not reversed)
  with the scale's labels. A blank answer is system-missing; an answer that is not an option or
  not on the scale (the core scores it as invalid) is 999, labelled and declared user-missing.
  Domain totals are numeric, blank = system-missing.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from imheval.errors import DataFormatError, Problem
from imheval.instruments.model import Instrument, KeyedItem, RatingItem, RatingScale
from imheval.io.csvsafe import neutralise_frame
from imheval.io.table import FORM, RESERVED_COLUMNS, ResponseTable

#: File extensions :func:`write_responses` writes, and the format each means.
WRITE_FORMATS: Final = {".csv": "csv", ".xlsx": "xlsx", ".sav": "sav"}

#: The SPSS code of an answer that is not one of the item's options (user-missing).
INVALID_CODE: Final = 999
INVALID_LABEL: Final = "Not one of the options (scored as invalid)"
INVALID_RATING_LABEL: Final = "Not on the scale (scored as invalid)"

#: Labels of the columns every export has (SPSS variable labels).
RESERVED_LABELS: Final = {
    "participant": "Anonymous code chosen by the participant",
    "cohort": "Cohort",
    "programme": "Programme",
    "timepoint": "When answered: pre, post or followup",
    "directorate": "Directorate",
    "profession": "Profession",
    "source": "How the response was collected: web (online), paper (keyed in) or import",
}

#: SPSS keywords that cannot be variable names.
_SPSS_RESERVED = frozenset(
    {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
)
_WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")
_MAX_LABEL_BYTES = 250  # SPSS allows 256 bytes for a variable label
_MAX_VALUE_LABEL_BYTES = 120  # and 120 for a value label


def tidy_frame(table: ResponseTable) -> pd.DataFrame:
    """The table as the reader reads it back: reserved columns as text (and ``form`` when the
    table has it), then the item columns (text) and the retrospective then answers
    (``<item>@then``), or the domain totals (float, NaN = not measured); ``source_row`` is left
    out."""
    form = [FORM] if FORM in table.frame.columns else []
    items = [*table.item_columns, *table.then_columns]
    frame = table.frame.loc[:, [*RESERVED_COLUMNS, *form, *items]].astype(str)
    for column in table.score_columns:
        frame[column] = pd.to_numeric(table.frame[column], errors="coerce").astype(float)
    return frame.reset_index(drop=True)


def csv_bytes(table: ResponseTable) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel then reads the accents right), CRLF line ends.

    Cells a spreadsheet would run as a formula get an apostrophe in front
    (:func:`imheval.io.csvsafe.neutralise_frame`); imheval's reader takes it off again.
    """
    text = io.StringIO()
    safe = neutralise_frame(tidy_frame(table))
    safe.to_csv(text, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return text.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: ResponseTable) -> bytes:
    """One sheet, "responses": every text cell typed as text (a value starting "=" stays text),
    domain totals as numbers, blanks as empty cells."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    frame = tidy_frame(table)
    numeric = set(table.score_columns)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.freeze_panes = "A2"

    def text_cell(value: str) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    def cell_of(column: str, value: Any) -> Any:
        if column in numeric:
            return None if pd.isna(value) else float(value)
        return text_cell(value) if value != "" else None

    columns = [str(column) for column in frame.columns]
    sheet.append([text_cell(column) for column in columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([cell_of(column, value) for column, value in zip(columns, row, strict=True)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sav_bytes(
    table: ResponseTable,
    instruments: Sequence[Instrument] = (),
    sources: Sequence[str] | None = None,
    file_label: str = "",
) -> bytes:
    """SPSS .sav with variable and value labels (see the module docstring).

    ``instruments`` label and code the item columns (an item column no instrument declares is
    written as text). ``sources``, one per row of ``table``, adds the ``source`` column (how each
    response was collected). Raises ``ValueError`` when ``sources`` has the wrong length.
    """
    import pyreadstat

    tidy = tidy_frame(table)
    data: dict[str, Any] = {column: tidy[column] for column in RESERVED_COLUMNS}
    if sources is not None:
        if len(sources) != len(tidy):
            raise ValueError(f"{len(sources)} sources for {len(tidy)} rows")
        data["source"] = [str(source) for source in sources]
    labels = dict(RESERVED_LABELS)
    value_labels: dict[str, dict[float | int, str]] = {}
    missing: dict[str, list[Any]] = {}
    measures = {name: "nominal" for name in data}
    declared = [item.id for instrument in instruments for item in instrument.items]
    extra = [c for c in (*table.item_columns, *table.score_columns) if c not in set(declared)]
    names = _spss_names([*declared, *extra])
    for instrument in instruments:
        for item in instrument.items:
            if item.id not in tidy.columns:
                continue
            name = names[item.id]
            answers = tidy[item.id]
            if isinstance(item, KeyedItem):
                data[name], value_labels[name] = _keyed_codes(answers, item)
                measures[name] = "nominal"
            else:
                scale = instrument.scales[item.scale]
                data[name], value_labels[name] = _rating_values(answers, item, scale)
                measures[name] = "ordinal"
            missing[name] = [INVALID_CODE]
            renamed = f" [item {item.id}]" if name != item.id else ""
            labels[name] = _fit(item.text + renamed, _MAX_LABEL_BYTES)
    for column in extra:
        name = names[column]
        data[name] = tidy[column]
        measures[name] = "scale" if column in table.score_columns else "nominal"
        labels[name] = _fit(column, _MAX_LABEL_BYTES)
    frame = pd.DataFrame(data)
    with tempfile.TemporaryDirectory(prefix="imheval-sav-") as folder:
        path = Path(folder) / "responses.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=_fit(file_label, 64),
            column_labels={name: labels.get(name, name) for name in frame.columns},
            variable_value_labels=value_labels,
            missing_ranges=missing,
            variable_measure=measures,
        )
        return path.read_bytes()


def write_responses(
    table: ResponseTable,
    path: str | os.PathLike[str],
    instruments: Sequence[Instrument] = (),
    *,
    file_label: str = "",
) -> Path:
    """Write ``table`` to ``path`` as CSV, XLSX or SPSS .sav, chosen by the file's extension.

    ``instruments`` label the SPSS items (CSV and XLSX do not need them). Returns the path
    written. Raises :class:`DataFormatError` for an extension other than .csv, .xlsx or .sav
    (nothing is written), and ``OSError`` when the file cannot be written.
    """
    target = Path(path)
    kind = WRITE_FORMATS.get(target.suffix.lower())
    if kind is None:
        raise DataFormatError(
            [Problem(target.name, "cannot write this kind of file; use .csv, .xlsx or .sav")]
        )
    if kind == "csv":
        content = csv_bytes(table)
    elif kind == "xlsx":
        content = xlsx_bytes(table)
    else:
        content = sav_bytes(table, instruments, file_label=file_label)
    target.write_bytes(content)
    return target


def _keyed_codes(answers: pd.Series, item: KeyedItem) -> tuple[np.ndarray, dict[float | int, str]]:
    """Option codes 1..k in option order, matched as the core scores (code or text, any case)."""
    number = {code: index for index, code in enumerate(item.options, start=1)}
    lookup = {text.strip().casefold(): number[code] for code, text in item.options.items()}
    lookup.update({code.strip().casefold(): number[code] for code in item.options})

    def code_of(text: str) -> float:
        text = text.strip()
        if not text:
            return np.nan
        return float(lookup.get(text.casefold(), INVALID_CODE))

    labels: dict[float | int, str] = {
        number[code]: _fit(
            f"{code}) {text}" + (" [correct]" if code in item.key else ""), _MAX_VALUE_LABEL_BYTES
        )
        for code, text in item.options.items()
    }
    labels[INVALID_CODE] = INVALID_LABEL
    return np.array([code_of(str(a)) for a in answers], dtype=np.float64), labels


def _rating_values(
    answers: pd.Series, item: RatingItem, scale: RatingScale
) -> tuple[np.ndarray, dict[float | int, str]]:
    """The rating as answered (not reversed), or 999 when it is not on the scale."""
    by_label = {label.strip().casefold(): value for value, label in scale.labels.items()}

    def value_of(text: str) -> float:
        text = text.strip()
        if not text:
            return np.nan
        value: int | None
        if _WHOLE_NUMBER.fullmatch(text):
            value = int(text.split(".")[0])
        else:
            value = by_label.get(text.casefold())
        if value is None or not scale.min <= value <= scale.max:
            return float(INVALID_CODE)
        return float(value)

    labels: dict[float | int, str] = {
        value: _fit(label, _MAX_VALUE_LABEL_BYTES) for value, label in scale.labels.items()
    }
    labels[INVALID_CODE] = INVALID_RATING_LABEL
    return np.array([value_of(str(a)) for a in answers], dtype=np.float64), labels


def _spss_names(column_names: Sequence[str]) -> dict[str, str]:
    """Column name -> a valid, unique SPSS variable name (hyphens become underscores)."""
    taken = {name.upper() for name in (*RESERVED_COLUMNS, "source")}
    names: dict[str, str] = {}
    for column in column_names:
        base = re.sub(r"[^A-Za-z0-9_.]", "_", column).rstrip(".")[:60] or "item"
        if base[:1].isdigit() or base[:1] in "._":
            base = "v" + base  # SPSS names start with a letter
        if base.upper() in _SPSS_RESERVED:
            base += "_"
        name, suffix = base, 2
        while name.upper() in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name.upper())
        names[column] = name
    return names


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes, ending in "…" when cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - 3].decode("utf-8", errors="ignore").rstrip()
    return cut + "…"
