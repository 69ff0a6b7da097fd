"""The adapter's quick paths give exactly what the straightforward ones gave.

The results page reads every complete response of a scope (50,000 in a large organisation), so
the adapter parses the answers' JSON text in one call, reads each questionnaire once and builds
the text columns from plain lists; the scope's instruments are read from the questionnaires as
values. Each is checked here against the plain way it replaced: the same frame, column types
included, so the core gets the same table and the results cannot move.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

import pandas as pd
import pytest
from conftest import CORE_V1, Workspace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imheval import get_builtin
from imheval.instruments import Instrument
from imheval.io.table import FORM, RESERVED_COLUMNS, SOURCE_ROW, TIMEPOINTS
from imheval.web.capture.models import Status, Submission
from imheval.web.results.adapter import (
    _answer_columns,
    _answer_columns_general,
    _cohort_labels,
    _drop_repeated_codes,
    _one_form,
    item_ids,
    response_table,
)
from imheval.web.results.analysis import Scope, scope_instruments
from imheval.web.workspace.models import Cohort, Collection

COLUMNS = ["K1", "K2", "C1", "K1@then"]

#: Text as people type it: codes, words, and every kind of space Python's strip() removes.
TEXT = st.text(
    alphabet=st.sampled_from(["a", "b", "3", "é", " ", "\t", "\n", "\u00a0", "\u2003", "\x1c"]),
    max_size=6,
)


def _straightforward_table(submissions: Any, instruments: Sequence[Instrument]) -> pd.DataFrame:
    """The adapter's frame as it was made before it was made quick (one JSON parse per row,
    the questionnaire's fields joined onto every row, pandas' string methods)."""
    items = item_ids(instruments)
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
    label = _cohort_labels({(r[6], r[7], r[8]) for r in records})
    base = pd.DataFrame(
        {
            "participant": [r[1] for r in records],
            "cohort": [label[r[8]] for r in records],
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
    answers = pd.DataFrame.from_records([r[4] for r in records], columns=items).astype(object)
    answers = answers.where(answers.notna(), "").astype(str)
    answers = answers.apply(lambda column: column.str.strip())
    row_forms = [_one_form(r[10]) for r in records]
    if any(row_forms):
        base.insert(len(RESERVED_COLUMNS), FORM, pd.Series(row_forms, dtype=object))
    frame = pd.concat([base, answers.reset_index(drop=True)], axis=1)
    frame[SOURCE_ROW] = frame[SOURCE_ROW].astype(int)
    frame, _ = _drop_repeated_codes(frame)
    order = {timepoint: index for index, timepoint in enumerate(TIMEPOINTS)}
    frame = frame.assign(_order=frame["timepoint"].map(order)).sort_values(
        ["_start", "_cohort_id", "_order", SOURCE_ROW], kind="stable"
    )
    return frame.drop(columns=["_order", "_start", "_cohort_id"]).reset_index(drop=True)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(st.sampled_from([*COLUMNS, "other"]), TEXT, max_size=5),
        max_size=8,
    )
)
def test_text_answers_make_the_same_columns_as_pandas_string_methods(
    answers: list[dict[str, Any]],
) -> None:
    quick = _answer_columns(answers, COLUMNS)
    pd.testing.assert_frame_equal(quick, _answer_columns_general(answers, COLUMNS))
    assert list(quick.columns) == COLUMNS and len(quick) == len(answers)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(COLUMNS),
            st.one_of(TEXT, st.none(), st.integers(-3, 9), st.floats(0, 5), st.booleans()),
            max_size=4,
        ),
        max_size=6,
    )
)
def test_answers_that_are_not_text_are_made_the_general_way(
    answers: list[dict[str, Any]],
) -> None:
    pd.testing.assert_frame_equal(
        _answer_columns(answers, COLUMNS), _answer_columns_general(answers, COLUMNS)
    )


def test_a_number_or_null_stored_as_an_answer_becomes_text_as_before() -> None:
    answers = [{"K1": 3, "K2": None}, {"K1": " b ", "C1": "4"}]
    frame = _answer_columns(answers, COLUMNS)
    assert frame.to_dict("list") == {
        "K1": ["3", "b"],
        "K2": ["", ""],
        "C1": ["", "4"],
        "K1@then": ["", ""],
    }


@pytest.mark.parametrize("columns", [[], ["K1"], ["K1", "K2"]])
def test_few_columns_give_the_same_frame(columns: list[str]) -> None:
    answers = [{"K1": " a", "K2": "b"}, {"K2": "c "}, {}]
    pd.testing.assert_frame_equal(
        _answer_columns(answers, columns), _answer_columns_general(answers, columns)
    )


def test_an_answer_that_is_a_list_is_made_the_general_way() -> None:
    answers = [{"K1": ["a", "b"], "K2": "c"}, {"K1": "d"}]
    pd.testing.assert_frame_equal(
        _answer_columns(answers, COLUMNS), _answer_columns_general(answers, COLUMNS)
    )


def test_no_answers_give_empty_text_columns() -> None:
    pd.testing.assert_frame_equal(
        _answer_columns([], COLUMNS), _answer_columns_general([], COLUMNS)
    )


@pytest.fixture
def busy(workspace: Workspace) -> Workspace:
    """The workspace with a second, earlier cohort made after the first, answers with spaces,
    a number, a repeated code, drafts, and a questionnaire asking one parallel form."""
    earlier = Cohort.objects.create(
        programme=workspace.programme, name="SOL-0", start_date=datetime.date(2020, 1, 6)
    )
    pre = Collection.objects.create(
        cohort=earlier, timepoint="pre", instrument_refs=["imh-core"], instrument_versions=CORE_V1
    )
    post = Collection.objects.create(
        cohort=earlier, timepoint="post", instrument_refs=["imh-core"], instrument_versions=CORE_V1
    )
    Collection.objects.filter(pk=post.pk).update(instrument_forms={"imh-core": "B"})
    rows = [
        (workspace.post, "AB01CD", {"K1": " a", "K2": "b ", "C1": "4"}),
        (workspace.pre, "AB01CD", {"K1": "b", "C1": "\u00a03"}),
        (workspace.pre, "EF02GH", {"K1": "c", "K2": "a", "C2": 5}),
        (workspace.pre, "EF02GH", {"K1": "d"}),  # the same code twice: both left out
        (post, "ZZ99ZZ", {"K1": "a"}),
        (pre, "ZZ99ZZ", {"K1": "b", "K3": ""}),
        (pre, "YY88YY", {}),
    ]
    for collection, code, answers in rows:
        Submission.objects.create(
            collection=collection, code=code, answers=answers, status=Status.COMPLETE
        )
    Submission.objects.create(collection=pre, code="DRAFT1", answers={"K1": "a"})
    return workspace


def test_the_table_is_the_straightforward_one_row_for_row(busy: Workspace) -> None:
    instruments = [get_builtin("imh-core@1.0.0")]
    submissions = Submission.objects.in_organisation(busy.organisation)
    table = response_table(submissions, instruments, "x")
    expected = _straightforward_table(submissions, instruments)
    pd.testing.assert_frame_equal(table.frame, expected)
    assert list(table.frame["cohort"][:2]) == ["SOL-0", "SOL-0"]  # the earlier cohort first
    assert set(table.frame[FORM]) == {"", "B"}
    assert "EF02GH" not in set(table.frame["participant"])
    assert len(table.warnings) == 1


def test_another_organisations_responses_never_reach_the_table(busy: Workspace) -> None:
    Submission.objects.create(
        collection=busy.other_collection, code="OUT001", answers={}, status=Status.COMPLETE
    )
    table = response_table(
        Submission.objects.in_organisation(busy.organisation),
        [get_builtin("imh-core@1.0.0")],
        "x",
    )
    assert "OUT001" not in set(table.frame["participant"])
    assert set(table.frame["programme"]) == {busy.programme.name}


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answers=st.lists(st.dictionaries(st.sampled_from(["K1", "K2", "C1"]), TEXT), max_size=5))
def test_any_text_answers_give_the_straightforward_table(
    workspace: Workspace, answers: list[dict[str, str]]
) -> None:
    Submission.objects.all().delete()
    for number, given_answers in enumerate(answers):
        Submission.objects.create(
            collection=(workspace.pre, workspace.post)[number % 2],
            code=f"AB{number:02d}CD",
            answers=given_answers,
            status=Status.COMPLETE,
        )
    instruments = [get_builtin("imh-core@1.0.0")]
    submissions = Submission.objects.in_organisation(workspace.organisation)
    pd.testing.assert_frame_equal(
        response_table(submissions, instruments, "x").frame,
        _straightforward_table(submissions, instruments),
    )


def test_scope_instruments_pin_as_each_questionnaire_does(busy: Workspace) -> None:
    """A questionnaire whose built-in has no pin yet takes its cohort's (or the bank's current)
    version, exactly as Collection.pinned_refs says."""
    Collection.objects.filter(pk=busy.followup.pk).update(instrument_versions={})
    scope = Scope.of(busy.organisation)
    order = {timepoint: index for index, timepoint in enumerate(TIMEPOINTS)}
    collections = sorted(
        Collection.objects.filter(cohort__in=scope.cohorts()).select_related("cohort"),
        key=lambda c: (c.cohort.start_date, c.cohort_id, order.get(c.timepoint, 9)),
    )
    assert scope.questionnaire_refs() == [c.pinned_refs() for c in collections]
    assert ["imh-core@1.0.0"] in scope.questionnaire_refs()
    assert [i.version for i in scope_instruments(scope)] == ["1.0.0"]
