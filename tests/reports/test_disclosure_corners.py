"""Small-group corners closed with imheval.suppression: each with its own small inline data.

Every expected value is worked out by hand from the data written in the test.
"""

from __future__ import annotations

from pathlib import Path

from imheval import evaluate_file
from imheval.reports import Report, build_report
from imheval.reports.model import Table


def _write(path: Path, people: list[tuple[str, str, str, bool, bool]]) -> Path:
    """One row per person and timepoint: (code, cohort, profession, at pre, at post)."""
    lines = ["participant,cohort,programme,profession,timepoint,knowledge"]
    for index, (code, cohort, profession, pre, post) in enumerate(people):
        if pre:
            lines.append(f"{code},{cohort},Alpha,{profession},pre,{index % 4}")
        if post:
            lines.append(f"{code},{cohort},Alpha,{profession},post,{index % 4 + 1 + index % 3}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


Person = tuple[str, str, str, bool, bool]


def _cohorts(sizes: dict[str, int], profession: str = "Nurse") -> list[Person]:
    return [
        (f"{cohort}{i}", cohort, profession, True, True)
        for cohort, size in sizes.items()
        for i in range(size)
    ]


def _table(report: Report, caption_start: str) -> Table:
    sections = report.sections
    found = [t for s in sections for t in s.tables() if t.caption.startswith(caption_start)]
    assert len(found) == 1, caption_start
    return found[0]


def test_a_row_hidden_to_protect_another_hides_its_n_too(tmp_path: Path) -> None:
    # Cohorts of 12, 11 and 3 matched people, 26 in all. C (3) is small; B (11) is hidden with
    # it. Showing B's n would give C's: 26 - 12 - 11 = 3.
    path = _write(tmp_path / "t1.csv", _cohorts({"A": 12, "B": 11, "C": 3}))
    evaluation = evaluate_file(path)
    table = _table(build_report(evaluation), "Table 1. Knowledge")
    rows = {row[0]: row for row in table.rows}
    assert rows["A"][2] == "12"
    assert rows["B"][2:] == ("hidden",) * 4
    assert rows["C"][2:] == ("hidden",) * 4
    assert rows["All matched people"][2] == "26"
    document = evaluation.to_dict()["domains"][0]["table1"]
    assert [row["n"] for row in document] == [12, None, None]


def test_a_small_not_recorded_group_is_protected_like_a_row(tmp_path: Path) -> None:
    # Nurse 8, Social worker 6, and 2 with no profession: 16 matched. The overall mean minus
    # the two shown rows would give the two unrecorded people's mean, so the smaller row goes.
    people = (
        _cohorts({"A": 8}, "Nurse")
        + _cohorts({"B": 6}, "Social worker")
        + [(f"X{i}", "B", "", True, True) for i in range(2)]
    )
    evaluation = evaluate_file(_write(tmp_path / "nr.csv", people))
    breakdown = evaluation.domain("knowledge").breakdowns[2]
    assert breakdown.not_recorded == 2
    assert {row.label: row.suppressed for row in breakdown.rows} == {
        "Nurse": False,
        "Social worker": True,
    }
    document = evaluation.to_dict()["domains"][0]["breakdowns"]["profession"]
    assert document["not_recorded"] is None
    assert [row["n"] for row in document["rows"]] == [8, None]


def test_matching_bias_test_of_one_unmatched_person_gives_no_count(tmp_path: Path) -> None:
    # 8 matched and 1 person at the pre-test only: the test would say "group b (1)" and
    # "n = 9" next to 8 matched.
    people = [*_cohorts({"A": 8}), ("Z0", "A", "Nurse", True, False)]
    evaluation = evaluate_file(_write(tmp_path / "bias.csv", people))
    entry = evaluation.domain("knowledge").test("participant", "welch_t", "matching_bias")
    assert entry is not None and not entry.result.computed
    assert entry.result.n == 0
    assert entry.result.reason == (
        "fewer than 5 people were matched, or were not matched, so the two groups are too "
        "small to compare"
    )
    assert "(1)" not in str(evaluation.to_dict()["tests"])


def test_matching_bias_categories_hide_across_both_columns(tmp_path: Path) -> None:
    # Not matched: Nurse 2 (small), Social worker 6, Health visitor 9; matched 10, 10, 10.
    # The 2 alone would be 17 - 6 - 9, so Social worker (6) is hidden with it, in both columns.
    people: list[tuple[str, str, str, bool, bool]] = []
    for profession, unmatched in (("Nurse", 2), ("Social worker", 6), ("Health visitor", 9)):
        people += [(f"{profession[:2]}M{i}", "A", profession, True, True) for i in range(10)]
        people += [
            (f"{profession[:2]}U{i}", "A", profession, True, False) for i in range(unmatched)
        ]
    evaluation = evaluate_file(_write(tmp_path / "cat.csv", people))
    categories = {
        c["category"]: c
        for c in evaluation.to_dict()["matching_bias"]["categories"]
        if c["variable"] == "profession"
    }
    assert categories["Nurse"]["suppressed"] and categories["Nurse"]["n_matched"] is None
    assert categories["Social worker"]["suppressed"]
    assert categories["Social worker"]["n_unmatched"] is None
    assert not categories["Health visitor"]["suppressed"]
    assert categories["Health visitor"]["n_unmatched"] == 9
