"""The one crossing from the web app's database into the core: rows to a ResponseTable.

Every analysis, report and export of captured data goes through :func:`response_table`, so the
statistics have exactly one implementation (the core's) and an export read back by the CLI gives
the same evaluation as the page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

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
    """
    items = item_ids(instruments)
    # a retrospective item's 'thinking back' answers (post-test form): <item>@then
    thens = list(dict.fromkeys(then_column(i.id) for i, _ in retrospective_items(instruments)))
    records = list(
        submissions.filter(status=Status.COMPLETE).values_list(
            "id",
            "code",
            "profession",
            "directorate",
            "answers",
            "collection__timepoint",
            "collection__cohort__name",
            "collection__cohort__programme__name",
            "collection__cohort__id",
            "collection__cohort__start_date",
            "collection__instrument_forms",
        )
    )
    cohort_label = _cohort_labels({(r[6], r[7], r[8]) for r in records})
    base = pd.DataFrame(
        {
            "participant": [r[1] for r in records],
            "cohort": [cohort_label[r[8]] for r in records],
            "programme": [r[7] for r in records],
            "timepoint": [r[5] for r in records],
            "directorate": [r[3] for r in records],
            "profession": [r[2] for r in records],
            SOURCE_ROW: [r[0] for r in records],
            "_start": [r[9] for r in records],
            "_cohort_id": [r[8] for r in records],
        },
        columns=[*RESERVED_COLUMNS, SOURCE_ROW, "_start", "_cohort_id"],
        dtype=object,
    )
    answers = pd.DataFrame.from_records([r[4] for r in records], columns=[*items, *thens]).astype(
        object
    )
    answers = answers.where(answers.notna(), "").astype(str)
    answers = answers.apply(lambda column: column.str.strip())
    row_forms = [_one_form(r[10]) for r in records]
    if any(row_forms):
        base.insert(len(RESERVED_COLUMNS), FORM, pd.Series(row_forms, dtype=object))
    frame = pd.concat([base, answers.reset_index(drop=True)], axis=1)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype(int)
    frame, warnings = _drop_repeated_codes(frame)
    # Cohorts in the order they ran (the core lists cohorts in the order it first meets them),
    # then timepoints in the order they happen, then submissions in the order they arrived.
    frame = frame.assign(_order=frame["timepoint"].map(_TIMEPOINT_ORDER)).sort_values(
        ["_start", "_cohort_id", "_order", SOURCE_ROW], kind="stable"
    )
    frame = frame.drop(columns=["_order", "_start", "_cohort_id"]).reset_index(drop=True)
    return ResponseTable(
        frame=frame,
        source=source,
        layout="tidy",
        item_columns=tuple(items),
        then_columns=tuple(thens),
        warnings=tuple(warnings),
    )


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
