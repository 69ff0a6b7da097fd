"""Privacy of small groups: nothing about fewer than min_group_size people is recoverable.

Every expected value is worked out by hand from the small inline data in each test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imheval import evaluate_file, get_builtin
from imheval.evaluation import EvaluationOptions
from imheval.reports import Report, build_report
from imheval.reports.context import ReportContext, protect_column
from imheval.reports.html import render_html
from imheval.reports.model import Callout, Findings, Heading, Paragraph, Table
from imheval.reports.sections.deeper import reliable_change_counts
from imheval.stats import ReliableChange

CORE_HEADER = (
    "participant,cohort,programme,timepoint,K1,K2,K3,K4,K5,K6,R1,R2,R3,R4,R5,R6,R7,R8,"
    "S1,S2,S3,S4,S5,S6"
)
ONE_PERSON = [
    CORE_HEADER,
    "AD-14-K,TF1,Think Family,pre,c,c,c,b,c,d,yes,no,yes,b,c,a,b,c,4,3,4,3,4,3",
    "AD-14-K,TF1,Think Family,post,b,c,a,d,c,c,yes,no,yes,b,c,a,b,c,4,3,4,5,3,5",
]


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def all_text(report: Report) -> str:
    """Every word of the report model: paragraphs, findings, tables, chart alt text."""
    parts = [report.subtitle]
    for section in report.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph | Callout | Heading):
                parts.append(block.text)
            elif isinstance(block, Findings):
                parts.extend(f"{plain} {apa}" for plain, apa in block.items)
            elif isinstance(block, Table):
                parts.append(block.caption)
                parts.extend(" | ".join(row) for row in block.rows)
                parts.extend(block.notes)
            else:
                parts.extend([block.alt_text, block.caption])
    return "\n".join(parts)


def find_table(report: Report, caption_start: str) -> Table:
    found = [t for s in report.sections for t in s.tables() if t.caption.startswith(caption_start)]
    assert len(found) == 1, caption_start
    return found[0]


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> ReportContext:
    """A report context with the default minimum group size of 5."""
    path = write(tmp_path_factory.mktemp("ctx") / "one.csv", ONE_PERSON)
    evaluation = evaluate_file(path, [get_builtin("imh-core@1.0.0")])
    return ReportContext(evaluation, 5)


# --------------------------------------------------------------------------------------------
# 1. Tables of counts: no hidden cell recoverable from the total


def test_one_small_cell_among_zeros_hides_the_total_too(context: ReportContext) -> None:
    # 2 + 0 + 0: the old table showed "fewer than 5", "0", "0" and a total of 2.
    assert protect_column(context, [2, 0, 0]) == (["hidden", "0", "0"], "hidden", True)


def test_a_lone_small_cell_takes_the_smallest_nonzero_cell_with_it(
    context: ReportContext,
) -> None:
    # 2 + 0 + 6 + 9 = 17 shown: 2 alone would be 17 - 6 - 9; 6 (not the zero) goes with it.
    assert protect_column(context, [2, 0, 6, 9]) == (
        ["hidden", "0", "hidden", "9"],
        "17",
        True,
    )


def test_two_small_cells_protect_each_other_when_together_they_are_not_small(
    context: ReportContext,
) -> None:
    assert protect_column(context, [2, 3, 8]) == (["hidden", "hidden", "8"], "13", True)


def test_two_small_cells_that_together_are_small_take_a_third(context: ReportContext) -> None:
    # 1 + 3 = 12 - 8: shown, the 8 would publish a group of 4 people ("1 or 3 people").
    assert protect_column(context, [1, 3, 8]) == (
        ["hidden", "hidden", "hidden"],
        "12",
        True,
    )


def test_a_hidden_one_is_not_pinned_by_a_second_cell_of_exactly_the_minimum(
    context: ReportContext,
) -> None:
    # 1 + 5 + 20 = 26: with only the 5 hidden beside it, 26 - 20 = 6 = "fewer than 5" + "at
    # least 5" can only be 1 + 5. The 20 goes too.
    assert protect_column(context, [1, 5, 20]) == (
        ["hidden", "hidden", "hidden"],
        "26",
        True,
    )


def test_nothing_small_shows_everything(context: ReportContext) -> None:
    assert protect_column(context, [0, 5, 7]) == (["0", "5", "7"], "12", False)


def test_follow_up_column_of_two_people_gives_no_total_away(tmp_path: Path) -> None:
    lines = ["participant,cohort,programme,timepoint,knowledge"]
    for cohort, programme in (("A1", "Alpha"), ("B1", "Beta")):
        for i in range(6):
            lines += [
                f"{cohort}{i},{cohort},{programme},pre,2",
                f"{cohort}{i},{cohort},{programme},post,4",
            ]
    lines += ["A10,A1,Alpha,followup,4", "A11,A1,Alpha,followup,3"]
    report = build_report(evaluate_file(write(tmp_path / "fu.csv", lines)))
    programmes = find_table(report, "People taking part by programme")
    rows = {row[0]: row for row in programmes.rows}
    # Columns: Enrolled, Pre-test, Post-test, Matched, Follow-up.
    assert rows["Alpha"] == ("Alpha", "6", "6", "6", "6", "hidden")
    assert rows["Beta"] == ("Beta", "6", "6", "6", "6", "0")
    assert rows["Total"] == ("Total", "12", "12", "12", "12", "hidden")
    cohorts = find_table(report, "People taking part by cohort")
    assert cohorts.rows[-1] == ("Total", "", "12", "12", "12", "hidden")
    assert programmes.suppressed_note is not None


# --------------------------------------------------------------------------------------------
# 2-3, 6. One person: nothing but counts "fewer than 5" and notes


@pytest.fixture(scope="module")
def one_person(tmp_path_factory: pytest.TempPathFactory) -> Report:
    path = write(tmp_path_factory.mktemp("one") / "one.csv", ONE_PERSON)
    return build_report(evaluate_file(path, [get_builtin("imh-core@1.0.0")]))


def test_one_person_report_has_no_statistic_flag_or_count(one_person: Report) -> None:
    text = all_text(one_person)
    for leak in (
        "1 people",
        "1 person",
        "people were matched before and after training.",
        "Too easy",
        "K2",
        "V = 1",
        "r_rb",
        "People, n = 1",
        "Yes",
        "100%",
        "1 of the 1",
    ):
        assert leak not in text, leak
    assert one_person.subtitle.startswith("fewer than 5 people in 1 cohort")
    level2 = one_person.section("level-2")
    notes = [b.text for b in level2.blocks if isinstance(b, Callout)]
    assert (
        "Knowledge: fewer than 5 people were matched before and after training, too few to "
        "report." in notes
    )
    assert not level2.tables()


def test_one_person_answer_counts_are_hidden(one_person: Report) -> None:
    scored = find_table(one_person, "How the answers were scored")
    # Knowledge before: 1 correct and 5 wrong -- that person's answers. Every row is hidden.
    assert [row[:2] for row in scored.rows][:2] == [("Knowledge", "Before"), ("Knowledge", "After")]
    assert all(row[2:] == ("hidden",) * 4 for row in scored.rows)
    assert scored.suppressed_note is not None


def test_one_person_ceiling_row_shows_no_flag(one_person: Report) -> None:
    ceiling = find_table(one_person, "Ceiling")
    risk = next(row for row in ceiling.rows if row[0] == "Risk identification")
    assert risk == ("Risk identification", "hidden", "hidden", "hidden")


def test_one_person_reaches_html_without_leaks(one_person: Report) -> None:
    html = render_html(one_person)
    assert "1 people" not in html and "V = 1" not in html and "Too easy" not in html


def test_a_single_person_reads_person_when_the_group_size_allows(tmp_path: Path) -> None:
    path = write(tmp_path / "one.csv", ONE_PERSON)
    evaluation = evaluate_file(
        path, [get_builtin("imh-core@1.0.0")], EvaluationOptions(min_group_size=1)
    )
    report = build_report(evaluation)
    assert report.subtitle.startswith("1 person in 1 cohort")
    # "fewer than 1 people" is the privacy wording, not a count.
    assert not re.search(r"(?<!than )\b1 people", all_text(report))


def test_follow_up_of_two_people_shows_only_a_note(tmp_path: Path) -> None:
    lines = ["participant,cohort,timepoint,knowledge"]
    for i in range(8):
        lines += [f"P{i},C1,pre,{i % 3}", f"P{i},C1,post,{i % 3 + 2 + i % 2}"]
    lines += ["P0,C1,followup,3", "P1,C1,followup,5"]
    report = build_report(evaluate_file(write(tmp_path / "fu.csv", lines)))
    level3 = report.section("level-3")
    text = all_text(report)
    assert not level3.tables()  # no retention table, no follow-up tests table
    assert "t(1)" not in text and "2 people" not in text
    notes = [b.text for b in level3.blocks if isinstance(b, Callout)]
    assert (
        "Knowledge, before vs follow-up: fewer than 5 people were measured at both timepoints, "
        "too few to report." in notes
    )
    assert any(n.startswith("Knowledge, retention: fewer than 5 people") for n in notes)
    summary = all_text(report).split("Which result to trust")[0]
    assert (
        "Follow-up: fewer than 5 people were measured both before training and at follow-up, "
        "too few to report." in summary
    )


# --------------------------------------------------------------------------------------------
# 4. Small counts in sentences match the tables


def test_reliable_change_sentence_hides_what_the_table_hides(context: ReportContext) -> None:
    # 9 people: 2 improved, 6 did not change, 1 declined. 2 and 1 are both small, and the
    # sentence names no share that would give them away.
    change = ReliableChange(
        n=9,
        reliability=0.8,
        minimum_reliable_change=1.5,
        n_improved=2,
        n_no_change=6,
        n_declined=1,
        share_improved=2 / 9,
    )
    text = reliable_change_counts(context, change)
    assert text == (
        "fewer than 5 people improved (by more than measurement error explains: at least 1.50 "
        "points); fewer than 5 people reliably declined."
    )


def test_reliable_change_secondary_count_is_not_in_the_sentence(context: ReportContext) -> None:
    # 68 people: 9 improved, 58 no change, 1 declined; 9 would give the 1 away (68 - 58 - 9).
    change = ReliableChange(
        n=68,
        reliability=0.8,
        minimum_reliable_change=2.0,
        n_improved=9,
        n_no_change=58,
        n_declined=1,
        share_improved=9 / 68,
    )
    text = reliable_change_counts(context, change)
    assert text is not None
    assert "9" not in re.sub(r"\d+\.\d+", "", text) and "13%" not in text
    assert "fewer than 5 people reliably declined" in text


# --------------------------------------------------------------------------------------------
# 5. Methods for totals-only data


def test_methods_for_totals_describe_no_item_analysis(tmp_path: Path) -> None:
    lines = ["participant,cohort,timepoint,knowledge"]
    for i in range(8):
        lines += [f"P{i},C1,pre,{i % 4}", f"P{i},C1,post,{i % 4 + 1 + i % 2}"]
    evaluation = evaluate_file(write(tmp_path / "totals.csv", lines))
    report = build_report(evaluation)
    methods = all_text(report).split("Methods and limitations")[-1]
    methods = "\n".join(
        b.text for b in report.section("methods").blocks if isinstance(b, Paragraph)
    )
    assert "Item analysis" not in methods and "facility" not in methods
    assert "1 point per correct answer" not in methods
    assert f"Scoring rule: {evaluation.to_dict()['settings']['scoring_rule']}." in methods
