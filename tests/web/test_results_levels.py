"""The web results page groups a level's domains under Barr's sub-levels as the report does:
a sub-level heading before its first domain (never an empty fold), and the sub-levels not
measured at the top of the level."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from django.template.loader import render_to_string

from imheval.evaluation.plan import Evaluation
from imheval.reports import build_report
from imheval.web.results.presentation import page_sections

sys.path.insert(0, str(Path(__file__).parents[1]))
from test_followup_practice import followup_study, run


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return run(followup_study(tmp_path_factory.mktemp("fu") / "study.csv"))


def test_level_3_parts_fall_under_their_barr_sub_level(followed: Evaluation) -> None:
    report = build_report(followed)
    level3 = next(s for s in page_sections(report) if s["id"] == "report-level-3")
    parts = [(p["title"], p["group"], p["group_start"]) for p in level3["parts"]]
    assert parts[:2] == [
        (
            "Infant mental health in practice (last month)",
            "Level 3a: Behaviour, self-reported",
            True,
        ),
        ("What helped or hindered using the training", "Level 3a: Behaviour, self-reported", False),
    ]
    assert all(p["blocks"] for p in level3["parts"])
    assert any(
        b["kind"] == "callout" and b["text"] == "Not measured at this level: 3b observed behaviour."
        for b in level3["intro"]
    )
    html = render_to_string("results/report.html", {"levels": [level3], "others": []})
    assert html.count('<h3 class="nhsuk-heading-s imheval-report-group">') == 1
    assert "Level 3a: Behaviour, self-reported</h3>" in html


def test_untagged_levels_have_no_group_headings(followed: Evaluation) -> None:
    level2 = next(s for s in page_sections(build_report(followed)) if s["id"] == "report-level-2")
    assert level2["parts"] and not any(p["group"] for p in level2["parts"])
