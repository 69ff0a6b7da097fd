"""The report by level: Barr sub-levels as headings, levels not measured said plainly, a
domain asked only at follow-up described under level 3, who answered at follow-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from imheval.evaluation.plan import Evaluation
from imheval.reports import build_report
from imheval.reports.html import render_html
from imheval.reports.model import Callout, Heading, Report, Section, Table
from test_followup_practice import followup_study, run


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return run(followup_study(tmp_path_factory.mktemp("fu") / "study.csv"))


@pytest.fixture(scope="module")
def report(followed: Evaluation) -> Report:
    return build_report(followed)


def section(report: Report, section_id: str) -> Section:
    return next(s for s in report.sections if s.id == section_id)


def test_summary_says_which_levels_were_not_measured(report: Report) -> None:
    callouts = [b.text for b in section(report, "summary").blocks if isinstance(b, Callout)]
    assert any(
        text.startswith("Levels of evaluation. Measured: level 2 learning and 3a self-reported")
        and "Not measured: level 1 reaction, 3b observed behaviour and level 4 results (4a "
        "organisational practice, 4b benefit to babies and families)."
        in text
        for text in callouts
    )


def test_level_3_groups_followup_practice_under_3a_and_names_3b(report: Report) -> None:
    blocks = section(report, "level-3").blocks
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert headings[:2] == [
        "Level 3a: Behaviour, self-reported",
        "Infant mental health in practice (last month)",
    ]
    assert "What helped or hindered using the training" in headings
    captions = [b.caption for b in blocks if isinstance(b, Table)]
    assert "Infant mental health in practice (last month): how people answered each question" in (
        captions
    )
    assert "Not measured at this level: 3b observed behaviour." in [
        b.text for b in blocks if isinstance(b, Callout)
    ]
    items = next(b for b in blocks if isinstance(b, Table) and b.caption.endswith("each question"))
    assert items.header[3:8] == (
        "0 Not at all",
        "1 Once",
        "2 Two or three times",
        "3 About once a week",
        "4 More than once a week",
    )
    assert items.rows[0][0] == "PF1: asked about baby and relationship"


def test_untagged_learning_domains_have_no_sub_level_heading(report: Report) -> None:
    headings = [b.text for b in section(report, "level-2").blocks if isinstance(b, Heading)]
    assert not any(h.startswith("Level 2a") or h.startswith("Level 2b") for h in headings)


def test_who_took_part_compares_those_who_answered_at_followup(
    report: Report, followed: Evaluation
) -> None:
    blocks = section(report, "participation").blocks
    assert Heading("Who answered at follow-up") in blocks
    table = next(
        b for b in blocks if isinstance(b, Table) and b.caption.startswith("People matched")
    )
    knowledge = next(r for r in table.rows if r[0] == "Knowledge")
    entry = next(d for d in followed.followup_bias.domains if d.domain == "knowledge")  # type: ignore[union-attr]
    assert knowledge[1:3] == (str(entry.n_followed), str(entry.n_not_followed))
    assert knowledge[8] == entry.gain_test.apa()


def test_a_larger_report_group_size_hides_the_followup_comparison(followed: Evaluation) -> None:
    report = build_report(followed, min_group_size=40)
    blocks = section(report, "participation").blocks
    assert not any(isinstance(b, Table) and b.caption.startswith("People matched") for b in blocks)
    assert any(isinstance(b, Callout) and "Fewer than 40 people" in b.text for b in blocks)


def test_html_renders_the_new_blocks(report: Report) -> None:
    html = render_html(report)
    assert "Level 3a: Behaviour, self-reported" in html
    assert "Who answered at follow-up" in html
    assert "Levels of evaluation." in html


def test_without_tags_or_followup_the_report_keeps_its_shape(tmp_path: Path) -> None:
    from imheval.demo import demo_instruments, demo_path
    from imheval.evaluation import evaluate_file

    report = build_report(evaluate_file(demo_path(), demo_instruments()))
    assert Heading("Who answered at follow-up") not in section(report, "participation").blocks
    level3 = section(report, "level-3").blocks
    assert isinstance(level3[0], Callout) and level3[0].text.startswith("Not measured")
