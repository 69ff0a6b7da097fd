"""The adapter from database rows to the core's table: the demo workspace evaluates exactly as
the demo CSV does through the CLI's reader."""

from __future__ import annotations

import json

import pytest
from conftest import CORE_V1, Workspace

from imheval import evaluate, evaluate_file, get_builtin
from imheval.demo import demo_instruments, demo_path
from imheval.web.capture.models import Submission
from imheval.web.results.adapter import response_table


def _assert_same(ours: object, theirs: object, path: str = "") -> None:
    """Equal structure, text and counts; floats equal to 12 significant digits.

    Rows reach the core in a different order from the file's, so sums can differ in the last
    bit or two (1e-16); anything beyond rounding noise is a real difference.
    """
    if isinstance(theirs, dict):
        assert isinstance(ours, dict) and ours.keys() == theirs.keys(), path
        for key in theirs:
            if key not in {"source", "created"}:
                _assert_same(ours[key], theirs[key], f"{path}/{key}")
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), path
        for index, (mine, other) in enumerate(zip(ours, theirs, strict=True)):
            _assert_same(mine, other, f"{path}[{index}]")
    elif isinstance(theirs, float) and isinstance(ours, float):
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-300), path
    else:
        assert ours == theirs, path


@pytest.fixture
def demo(db: None):  # type: ignore[no-untyped-def]
    from imheval.web.demo import load_demo

    return load_demo(password="a demo password for tests")


def test_demo_workspace_gives_the_same_evaluation_as_the_demo_csv(demo) -> None:  # type: ignore[no-untyped-def]
    instruments = list(demo_instruments())
    table = response_table(
        Submission.objects.in_organisation(demo.organisation), instruments, "demo workspace"
    )
    assert table.n_rows == 154
    assert table.warnings == ()
    from_database = evaluate(table, instruments)
    from_file = evaluate_file(demo_path(), instruments)
    ours = json.loads(json.dumps(from_database.to_dict()))
    theirs = json.loads(json.dumps(from_file.to_dict()))
    _assert_same(ours, theirs)


def test_drafts_are_left_out(workspace: Workspace) -> None:
    Submission.objects.create(collection=workspace.pre, code="AB01CD", answers={"K1": "a"})
    Submission.objects.create(
        collection=workspace.pre, code="EF02GH", answers={"K1": " b "}, status="complete"
    )
    table = response_table(
        Submission.objects.in_organisation(workspace.organisation),
        [get_builtin("imh-core@1.0.0")],
        "x",
    )
    assert list(table.frame["participant"]) == ["EF02GH"]
    assert table.frame.loc[0, "K1"] == "b"
    assert table.frame.loc[0, "K2"] == ""
    assert table.frame.loc[0, "cohort"] == "SOL-1"
    assert table.frame.loc[0, "programme"] == "Solihull Approach foundation"
    assert table.frame.loc[0, "timepoint"] == "pre"


def test_a_code_used_twice_at_one_questionnaire_is_left_out_with_a_warning(
    workspace: Workspace,
) -> None:
    for code in ("AB01CD", "AB01CD", "EF02GH"):
        Submission.objects.create(collection=workspace.pre, code=code, status="complete")
    Submission.objects.create(collection=workspace.post, code="AB01CD", status="complete")
    table = response_table(
        Submission.objects.in_organisation(workspace.organisation),
        [get_builtin("imh-core@1.0.0")],
        "x",
    )
    assert sorted(zip(table.frame["participant"], table.frame["timepoint"], strict=True)) == [
        ("AB01CD", "post"),
        ("EF02GH", "pre"),
    ]
    assert len(table.warnings) == 1
    assert "2 responses were left out" in table.warnings[0]
    assert "2 in SOL-1 at pre" in table.warnings[0]


def test_cohort_names_shared_by_two_programmes_are_qualified(workspace: Workspace) -> None:
    from imheval.web.workspace.models import Cohort, Collection, Programme

    second = Programme.objects.create(
        organisation=workspace.organisation,
        name="Think Family",
        level="beginner",
        delivery="online",
        duration_value=2,
        duration_unit="hours",
    )
    twin = Cohort.objects.create(programme=second, name="SOL-1", start_date="2026-11-10")
    twin_pre = Collection.objects.create(
        cohort=twin, timepoint="pre", instrument_refs=["imh-core"], instrument_versions=CORE_V1
    )
    Submission.objects.create(collection=workspace.pre, code="AA11AA", status="complete")
    Submission.objects.create(collection=twin_pre, code="BB22BB", status="complete")
    table = response_table(
        Submission.objects.in_organisation(workspace.organisation),
        [get_builtin("imh-core@1.0.0")],
        "x",
    )
    assert sorted(table.frame["cohort"]) == [
        "Solihull Approach foundation: SOL-1",
        "Think Family: SOL-1",
    ]
