"""Response-level exports: CSV and XLSX in the tidy layout the CLI reads, and SPSS .sav.

All three are written from the adapter's :class:`~imheval.io.table.ResponseTable`, so an export
read back by ``imheval analyse`` (or :func:`imheval.evaluate_file`) gives the page's evaluation.

* CSV and XLSX: the columns participant, cohort, programme, timepoint, directorate,
  profession, then one column per item, answers as given (text). Nothing a participant typed
  can become a spreadsheet formula: XLSX cells are all typed as text, and a CSV cell that starts
  like a formula (=, +, -, @, tab, carriage return; plain numbers aside) is written with an
  apostrophe in front, which imheval's reader removes (:mod:`imheval.io.csvsafe`).
* SPSS .sav: the same columns plus ``source`` (web, paper or import). Variable labels hold the
  item text; keyed (multiple-choice) items are numeric codes 1, 2, 3 ... in the instrument's
  option order with the option text as value labels ("b) ... [correct]" marks the key); rating
  items hold the rating as answered (not reversed) with the scale's labels. A blank answer is
  system-missing; an answer that is not an option or not on the scale (the core scores it as
  invalid) is 999, labelled and declared user-missing.

The match decisions of a scope are a fourth download: the review CSV the CLI reads with
``--accept-matches`` (:func:`imheval.matching.read_accepted_csv`), one row per stored decision
the analysis applies, ``accept`` yes or no. The responses CSV and this file given to
``imheval analyse`` reproduce the page's evaluation, accepted matches included.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from imheval.instruments import Instrument
from imheval.instruments.model import KeyedItem, RatingItem
from imheval.io.csvsafe import neutralise_frame
from imheval.io.table import RESERVED_COLUMNS, SOURCE_ROW, ResponseTable
from imheval.matching import match_reason, review_csv_text
from imheval.web.capture.models import Source
from imheval.web.organisations.models import Organisation
from imheval.web.results.analysis import applicable_decisions
from imheval.web.results.models import Decision

#: Export formats: (file extension, content type).
EXPORT_FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", "text/csv; charset=utf-8"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "sav": (".sav", "application/x-spss-sav"),
}

#: The SPSS code of an answer that is not one of the item's options (user-missing).
INVALID_CODE = 999
INVALID_LABEL = "Not one of the options (scored as invalid)"
INVALID_RATING_LABEL = "Not on the scale (scored as invalid)"

#: Labels of the columns every export has (SPSS variable labels).
RESERVED_LABELS = {
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
    """The table as the CLI reads it: reserved columns, then item columns, all text."""
    columns = [*RESERVED_COLUMNS, *table.item_columns]
    return table.frame.loc[:, columns].astype(str).reset_index(drop=True)


def write_csv(table: ResponseTable) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel then reads the accents right).

    Cells a spreadsheet would run as a formula get an apostrophe in front
    (:func:`imheval.io.csvsafe.neutralise_frame`); imheval's reader takes it off again.
    """
    text = io.StringIO()
    safe = neutralise_frame(tidy_frame(table))
    safe.to_csv(text, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    return text.getvalue().encode("utf-8-sig")


def write_xlsx(table: ResponseTable) -> bytes:
    """One sheet, "responses", every cell text (a value starting "=" stays text)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    frame = tidy_frame(table)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("responses")
    sheet.freeze_panes = "A2"

    def text_cell(value: str) -> Any:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell

    sheet.append([text_cell(column) for column in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([text_cell(value) if value != "" else None for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_sav(
    table: ResponseTable,
    instruments: Sequence[Instrument],
    sources: Mapping[int, str],
    file_label: str = "",
) -> bytes:
    """SPSS .sav with variable and value labels (see the module docstring).

    ``sources`` maps each submission id (the table's ``source_row``) to how it was collected.
    """
    import pyreadstat

    tidy = tidy_frame(table)
    data: dict[str, Any] = {column: tidy[column] for column in RESERVED_COLUMNS}
    data["source"] = [
        sources.get(int(pk), str(Source.WEB)) for pk in table.frame[SOURCE_ROW].tolist()
    ]
    labels = dict(RESERVED_LABELS)
    value_labels: dict[str, dict[float | int, str]] = {}
    missing: dict[str, list[Any]] = {}
    measures = {name: "nominal" for name in data}
    names = _spss_names([item.id for instrument in instruments for item in instrument.items])
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


def match_decision_rows(
    organisation: Organisation, cohorts: Any, submissions: Any, table: ResponseTable
) -> list[tuple[str, ...]]:
    """The stored decisions on ``cohorts`` that still apply, as review CSV rows.

    Chosen by :func:`imheval.web.results.analysis.applicable_decisions`, as the analysis
    chooses them. Columns as ``REVIEW_COLUMNS``: ``accept`` is "yes" for an accepted pair and
    "no" for a rejected one (the CLI reads "no" as not one person); ``reason`` says which rule
    proposed the pair; ``ambiguous`` is blank (it described the pair when it was listed, not
    the decision).
    """
    return [
        (
            label,
            decision.earlier_timepoint,
            decision.code_a,
            decision.later_timepoint,
            decision.code_b,
            match_reason(decision.code_a, decision.code_b),
            "",
            "yes" if decision.decision == Decision.ACCEPTED else "no",
        )
        for label, decision in applicable_decisions(organisation, cohorts, submissions, table)
    ]


def write_match_decisions(rows: Sequence[Sequence[str]]) -> bytes:
    """The review CSV of ``rows``, UTF-8 with a byte-order mark like the responses CSV."""
    return review_csv_text(rows).encode("utf-8-sig")


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
    answers: pd.Series, item: RatingItem, scale: Any
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


def _spss_names(item_ids: Sequence[str]) -> dict[str, str]:
    """Item id -> a valid, unique SPSS variable name (hyphens become underscores)."""
    taken = {name.upper() for name in (*RESERVED_COLUMNS, "source")}
    names: dict[str, str] = {}
    for item_id in item_ids:
        base = re.sub(r"[^A-Za-z0-9_.]", "_", item_id).rstrip(".")[:60] or "item"
        if base.upper() in _SPSS_RESERVED:
            base += "_"
        name, suffix = base, 2
        while name.upper() in taken:
            name, suffix = f"{base}_{suffix}", suffix + 1
        taken.add(name.upper())
        names[item_id] = name
    return names


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes, ending in "…" when cut."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - 3].decode("utf-8", errors="ignore").rstrip()
    return cut + "…"
