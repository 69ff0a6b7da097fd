"""Response-level exports over HTTP: the web's side of :mod:`imheval.io.writers`.

The files themselves (CSV and XLSX in the tidy layout the CLI reads, SPSS .sav with labels) are
written by the core's writers from the adapter's :class:`~imheval.io.table.ResponseTable`, so
an export read back by ``imheval analyse`` (or :func:`imheval.evaluate_file`) gives the page's
evaluation, and ``imheval export`` writes the same files from a responses file. What stays here
is what only the web knows: content types, and how each submission was collected (the .sav's
``source`` column: web, paper or import).

The match decisions of a scope are a fourth download: the review CSV the CLI reads with
``--accept-matches`` (:func:`imheval.matching.read_accepted_csv`), one row per stored decision
the analysis applies, ``accept`` yes or no. The responses CSV and this file given to
``imheval analyse`` reproduce the page's evaluation, accepted matches included.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from imheval.instruments import Instrument
from imheval.io import writers
from imheval.io.table import SOURCE_ROW, ResponseTable
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


def with_open_answers(
    table: ResponseTable, instruments: Sequence[Instrument], submissions: Any
) -> ResponseTable:
    """``table`` with a column per open question of ``instruments`` (after the scored items),
    each row's answer as written ("" for none), read from ``submissions`` (a queryset holding
    the table's rows, by ``source_row``). The same table when no instrument has one.

    The scored analysis never reads these columns (the core scores only keyed and rating
    items); they are there so that the answers leave with the responses. The writers keep a
    CSV cell that starts like a formula from running, and type every XLSX text cell as text.
    """
    open_ids = [
        question.id
        for instrument in instruments
        for question in instrument.open_items
        if question.id not in table.frame.columns
    ]
    if not open_ids:
        return table
    rows = [int(pk) for pk in table.frame[SOURCE_ROW].tolist()]
    answers: dict[int, dict[str, Any]] = dict(
        submissions.filter(pk__in=rows).values_list("pk", "answers")
    )
    frame = table.frame.copy()
    for item_id in open_ids:
        frame[item_id] = [str((answers.get(pk) or {}).get(item_id, "")) for pk in rows]
    return dataclasses.replace(table, frame=frame, item_columns=(*table.item_columns, *open_ids))


def write_csv(table: ResponseTable) -> bytes:
    """The responses CSV (:func:`imheval.io.writers.csv_bytes`)."""
    return writers.csv_bytes(table)


def write_xlsx(table: ResponseTable) -> bytes:
    """The responses XLSX (:func:`imheval.io.writers.xlsx_bytes`)."""
    return writers.xlsx_bytes(table)


def write_sav(
    table: ResponseTable,
    instruments: Sequence[Instrument],
    sources: Mapping[int, str],
    file_label: str = "",
) -> bytes:
    """The responses .sav (:func:`imheval.io.writers.sav_bytes`) with a ``source`` column.

    ``sources`` maps each submission id (the table's ``source_row``) to how it was collected;
    a submission missing from it counts as collected on the web.
    """
    collected = [sources.get(int(pk), str(Source.WEB)) for pk in table.frame[SOURCE_ROW].tolist()]
    return writers.sav_bytes(table, instruments, collected, file_label)


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
