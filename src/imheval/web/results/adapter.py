"""The one crossing from the web app's database into the core: rows to a ResponseTable.

Every analysis, report and export of captured data goes through :func:`response_table`, so the
statistics have exactly one implementation (the core's) and an export read back by the CLI gives
the same evaluation as the page.
"""

from __future__ import annotations

import json
import operator
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from django.db.models import TextField
from django.db.models.functions import Cast

from imheval.instruments import Instrument
from imheval.io.retrospective import retrospective_items
from imheval.io.table import (
    FORM,
    RESERVED_COLUMNS,
    SOURCE_ROW,
    TIMEPOINTS,
    ResponseTable,
    then_column,
)
from imheval.web.capture.models import Status
from imheval.web.workspace.models import Collection

#: Timepoints in the order they happen, for sorting rows as a person would lay out a file.
_TIMEPOINT_ORDER = {timepoint: index for index, timepoint in enumerate(TIMEPOINTS)}


def item_ids(instruments: Sequence[Instrument]) -> list[str]:
    """Item ids of ``instruments`` in order, each once."""
    return list(dict.fromkeys(item.id for instrument in instruments for item in instrument.items))


def response_table(
    submissions: Any, instruments: Sequence[Instrument], source: str
) -> ResponseTable:
    """The complete submissions in ``submissions`` (a queryset) as the core's tidy table.

    One row per submission: ``participant`` is the stored (already normalised) code, ``cohort``
    the cohort's name (qualified by the programme's name when two programmes in the selection
    share a cohort name), ``source_row`` the submission's id. Answers become the item columns as
    text, "" where unanswered. Drafts are left out. A code used twice at one collection cannot be
    matched reliably, so all its rows at that collection are left out with a warning (the reader
    refuses such a file outright; a live workspace must still show the rest).

    When a questionnaire in the selection asks a parallel form (``instrument_forms``), the table
    has the core's ``form`` column: each row's form ("" for a questionnaire that asks none, or
    asks different forms of two instruments: the core then works it out from the answers).

    Two queries: the submissions (their answers as JSON text, parsed in one call rather than one
    per row), then their questionnaires, each once rather than once per submission.
    """
    items = item_ids(instruments)
    # a retrospective item's 'thinking back' answers (post-test form): <item>@then
    thens = list(dict.fromkeys(then_column(i.id) for i, _ in retrospective_items(instruments)))
    # The order the database returns rows in does not matter: they are sorted below.
    complete = submissions.filter(status=Status.COMPLETE).order_by()
    rows = list(
        complete.annotate(answers_text=Cast("answers", output_field=TextField())).values_list(
            "id", "code", "profession", "directorate", "collection_id", "answers_text"
        )
    )
    questionnaires = _questionnaires(complete)
    # A questionnaire deleted between the two queries took its submissions with it.
    rows = [row for row in rows if row[4] in questionnaires]
    of_row = [questionnaires[row[4]] for row in rows]
    cohort_label = _cohort_labels({(q.cohort, q.programme, q.cohort_id) for q in of_row})
    base = pd.DataFrame(
        {
            "participant": [row[1] for row in rows],
            "cohort": [cohort_label[q.cohort_id] for q in of_row],
            "programme": [q.programme for q in of_row],
            "timepoint": [q.timepoint for q in of_row],
            "directorate": [row[3] for row in rows],
            "profession": [row[2] for row in rows],
            SOURCE_ROW: [row[0] for row in rows],
            "_start": [q.start for q in of_row],
            "_cohort_id": [q.cohort_id for q in of_row],
        },
        columns=[*RESERVED_COLUMNS, SOURCE_ROW, "_start", "_cohort_id"],
        dtype=object,
    )
    answers = _answer_columns(_parse_answers([row[5] for row in rows]), [*items, *thens])
    row_forms = [q.form for q in of_row]
    if any(row_forms):
        base.insert(len(RESERVED_COLUMNS), FORM, pd.Series(row_forms, dtype=object))
    frame = pd.concat([base, answers.reset_index(drop=True)], axis=1)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype(int)
    frame, warnings = _drop_repeated_codes(frame)
    # Cohorts in the order they ran (the core lists cohorts in the order it first meets them),
    # then timepoints in the order they happen, then submissions in the order they arrived.
    # The start dates are day numbers: integers sort much faster than date objects.
    frame = frame.assign(
        _start=frame["_start"].astype("int64"),
        _cohort_id=frame["_cohort_id"].astype("int64"),
        _order=frame["timepoint"].map(_TIMEPOINT_ORDER),
    ).sort_values(["_start", "_cohort_id", "_order", SOURCE_ROW], kind="stable")
    frame = frame.drop(columns=["_order", "_start", "_cohort_id"]).reset_index(drop=True)
    return ResponseTable(
        frame=frame,
        source=source,
        layout="tidy",
        item_columns=tuple(items),
        then_columns=tuple(thens),
        warnings=tuple(warnings),
    )


@dataclass(frozen=True, slots=True)
class _Questionnaire:
    """What a submission's row takes from its questionnaire (collection)."""

    timepoint: str
    cohort: str
    programme: str
    cohort_id: int
    start: int  # the cohort's start date as a day number (date.toordinal)
    form: str  # the one parallel form it asks, or ""


def _questionnaires(complete: Any) -> dict[int, _Questionnaire]:
    """Collection id -> :class:`_Questionnaire`, for the questionnaires of ``complete``."""
    found = (
        Collection.objects.filter(pk__in=complete.values("collection_id"))
        .order_by()
        .values_list(
            "id",
            "timepoint",
            "cohort__name",
            "cohort__programme__name",
            "cohort_id",
            "cohort__start_date",
            "instrument_forms",
        )
    )
    return {
        pk: _Questionnaire(
            timepoint, cohort, programme, cohort_id, day.toordinal(), _one_form(forms)
        )
        for pk, timepoint, cohort, programme, cohort_id, day, forms in found
    }


def _parse_answers(texts: list[str | None]) -> list[dict[str, Any]]:
    """Each submission's answers, from the JSON text the database holds, in one parse."""
    return json.loads("[" + ",".join(text or "{}" for text in texts) + "]")  # type: ignore[no-any-return]


def _answer_columns(answers: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """``columns`` of ``answers`` as text: stripped, "" where unanswered (missing or null).

    Answers are text as the capture, paper and import paths store them, from a few distinct
    values (option codes): each row is taken with one dictionary merge and one item getter,
    the distinct values are checked (and stripped) once each, and the frame is made from one
    array. Should any be another JSON value (a number, or null), the whole frame is made the
    general way (:func:`_answer_columns_general`), which turns it into text as pandas does;
    both give the same frame for text.
    """
    if len(columns) < 2:  # an item getter of one column gives values, not rows
        return _answer_columns_general(answers, columns)
    blank = dict.fromkeys(columns, "")
    take = operator.itemgetter(*columns)
    rows = [take({**blank, **answer}) for answer in answers]
    try:
        distinct = set().union(*rows)
    except TypeError:  # a list or an object: not hashable, not text
        return _answer_columns_general(answers, columns)
    if any(type(value) is not str for value in distinct):
        return _answer_columns_general(answers, columns)
    stripped = {value: value.strip() for value in distinct}
    if any(value != text for value, text in stripped.items()):
        rows = [tuple(map(stripped.__getitem__, row)) for row in rows]
    table = np.array(rows, dtype=object).reshape(len(rows), len(columns))
    return pd.DataFrame(table, columns=columns, dtype=str)


def _answer_columns_general(answers: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """:func:`_answer_columns` for answers of any JSON type (slower)."""
    frame = pd.DataFrame.from_records(answers, columns=columns).astype(object)
    frame = frame.where(frame.notna(), "").astype(str)
    return frame.apply(lambda column: column.str.strip())


def _one_form(instrument_forms: dict[str, str] | None) -> str:
    """The one form a questionnaire asks, or "" (none, or different forms per instrument)."""
    forms = set((instrument_forms or {}).values())
    return forms.pop() if len(forms) == 1 else ""


def cohort_labels(submissions: Any) -> dict[int, str]:
    """Cohort id -> the ``cohort`` value :func:`response_table` gives that cohort's rows.

    The same rule on the same selection (complete submissions of ``submissions``), so a choice
    made about one cohort (an accepted match) can name the cohort as the core sees it.
    """
    cohorts = set(
        submissions.filter(status=Status.COMPLETE)
        .order_by()  # else DISTINCT would take in the ordering's columns too: a row a response
        .values_list(
            "collection__cohort__name",
            "collection__cohort__programme__name",
            "collection__cohort__id",
        )
        .distinct()
    )
    return _cohort_labels(cohorts)


def _cohort_labels(cohorts: set[tuple[str, str, int]]) -> dict[int, str]:
    counts = Counter(name for name, _, _ in cohorts)
    return {
        cohort_id: name if counts[name] == 1 else f"{programme}: {name}"
        for name, programme, cohort_id in cohorts
    }


def _drop_repeated_codes(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    keys = ["cohort", "timepoint", "participant"]
    repeated = frame.duplicated(keys, keep=False)
    if not repeated.any():
        return frame, []
    groups = frame.loc[repeated].groupby(["cohort", "timepoint"], sort=True).size()
    details = "; ".join(
        f"{count} in {cohort} at {timepoint}"
        for (cohort, timepoint), count in zip(groups.index.tolist(), groups.tolist(), strict=True)
    )
    warning = (
        f"{int(repeated.sum())} responses were left out because their anonymous code was used "
        f"more than once at the same questionnaire ({details}). Someone may have answered twice, "
        "or two people made the same code."
    )
    return frame.loc[~repeated].reset_index(drop=True), [warning]
