"""The programme-by-time model shows only the programmes the breakdown by programme shows.

A programme with fewer than ``min_group_size`` people measured before *and* after training is
left out of the model, its finding, the report block and the JSON, however many people it has
with one score; and so is a programme the breakdown hides to protect it (the same
complementary rule, :mod:`imheval.evaluation.group_rule`). Review of issue 18, blocking item 1
(and item 13: the finding says how many of the model's people were measured both times).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from imheval import evaluate_file
from imheval.demo import demo_instruments, demo_path
from imheval.evaluation import Evaluation, EvaluationOptions
from imheval.evaluation.programmes import programme_analysis, programme_findings
from imheval.evaluation.serialise import evaluation_dict
from imheval.reports import build_report
from imheval.reports.html import render_html
from imheval.reports.model import Findings, Heading, Table


def _long(sizes: dict[str, tuple[str, int, int]]) -> pd.DataFrame:
    """cohort -> (programme, people with a pre score, how many of them also have a post one)."""
    rows = []
    for c, (cohort, (programme, n_pre, n_post)) in enumerate(sizes.items()):
        for i in range(n_pre):
            rows.append((cohort, programme, c * 100 + i, "pre", 10.0 + i % 4))
            if i < n_post:
                rows.append((cohort, programme, c * 100 + i, "post", 13.0 + c + i % 3))
    return pd.DataFrame(rows, columns=["cohort", "programme", "participant", "time", "score"])


def _shown_programmes(evaluation: Evaluation, domain_id: str) -> set[str]:
    domain = next(d for d in evaluation.domains if d.domain.id == domain_id)
    breakdown = next(b for b in domain.breakdowns if b.grouping == "programme")
    return {row.label for row in breakdown.rows if not row.suppressed}


def test_enough_people_but_too_few_matched_is_left_out_with_its_protector() -> None:
    # C has 8 people before training but only 2 measured before and after: it is hidden, and D
    # (the smallest shown programme, 7) with it, exactly as the breakdown by programme does
    long = _long(
        {
            "A1": ("A", 6, 6),
            "A2": ("A", 6, 6),
            "B1": ("B", 6, 6),
            "B2": ("B", 6, 6),
            "C1": ("C", 8, 2),
            "D1": ("D", 7, 7),
        }
    )
    result = programme_analysis(long, min_group_size=5)
    assert result is not None and result.model is not None
    assert result.model.programmes == ("A", "B")
    reasons = {item.programme: item.reason for item in result.left_out}
    assert set(reasons) == {"C", "D"}
    assert reasons["C"].startswith("fewer than 5 people measured before and after")
    assert reasons["D"].startswith("hidden to protect a smaller programme")
    data = json.dumps(result.to_dict())
    changes = {c["programme"] for c in result.to_dict()["model"]["changes"]}
    assert changes == {"A", "B"}
    assert '"n_participants": null' in data  # left-out programmes' sizes are not published
    assert result.n_matched == 24


def test_a_programme_with_no_one_measured_twice_is_left_out() -> None:
    long = _long(
        {
            "A1": ("A", 6, 6),
            "B1": ("B", 6, 6),
            "C1": ("C", 9, 0),
        }
    )
    result = programme_analysis(long, min_group_size=5)
    assert result is not None and result.model is not None
    assert result.model.programmes == ("A", "B")
    assert [(i.programme, i.reason) for i in result.left_out] == [
        ("C", "no one was measured both before and after training")
    ]


def _tiny_csv(tmp_path: Path) -> Path:
    """The demo with cohort AF1 renamed programme "Tiny", answering the knowledge questions
    too, and only 2 of its post-tests kept (one person measured before and after): like the
    review's tiny.csv."""
    with demo_path().open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    kept, posts = [], 0
    for row in rows:
        if row["cohort"] == "AF1":
            row["programme"] = "Tiny"
            answers = "aaaaaa" if row["timepoint"] == "pre" else "bcadbc"
            for number, answer in enumerate(answers, start=1):
                row[f"K{number}"] = answer
            if row["timepoint"] == "post":
                posts += 1
                if posts > 2:
                    continue
        kept.append(row)
    path = tmp_path / "tiny.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(kept)
    return path


@pytest.fixture(scope="module")
def tiny_evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    return evaluate_file(_tiny_csv(tmp_path_factory.mktemp("tiny")), list(demo_instruments()))


def test_tiny_programme_change_is_nowhere(tiny_evaluation: Evaluation) -> None:
    for domain in tiny_evaluation.domains:
        extras = domain.extras
        if extras is None or extras.programme_model is None:
            continue
        result = extras.programme_model
        assert _shown_programmes(tiny_evaluation, domain.domain.id) == {"Think Family"}
        # Tiny (1 matched) and Solihull (hidden to protect it) are out: one programme is left
        assert result.model is None
        assert {item.programme for item in result.left_out} == {"Solihull", "Tiny"}
        found = programme_findings(result, domain.domain, 5)
        assert [f.kind for f in found] == ["cohort_icc"]
    data = evaluation_dict(tiny_evaluation)
    for domain_data in data["domains"]:
        model = domain_data["programme_model"]
        assert model is None or model["model"] is None
    html = render_html(build_report(tiny_evaluation))
    assert not re.search(r"Tiny \+\d", html)
    assert not re.search(r"Solihull \+\d", html)
    assert "Left out of the programme comparison" in html


@pytest.mark.parametrize("size", [5, 10])
def test_model_programmes_are_the_breakdowns_shown_ones(
    demo_evaluation: Evaluation, size: int
) -> None:
    evaluation = (
        demo_evaluation
        if size == 5
        else evaluate_file(
            demo_path(), list(demo_instruments()), options=EvaluationOptions(min_group_size=10)
        )
    )
    checked = 0
    for domain in evaluation.domains:
        extras = domain.extras
        if extras is None or extras.programme_model is None:
            continue
        model = extras.programme_model.model
        shown = _shown_programmes(evaluation, domain.domain.id)
        modelled = set(model.programmes) if model is not None else set()
        if len(shown) >= 2:
            assert modelled == shown
        else:
            assert modelled == set()
        checked += 1
        if size == 10 and domain.domain.id == "self_efficacy":
            # Anna Freud has 9 people measured before and after: out at 10
            left = {item.programme for item in extras.programme_model.left_out}
            assert "Anna Freud" in left
    assert checked


def test_finding_says_how_many_were_measured_before_and_after(
    demo_evaluation: Evaluation,
) -> None:
    domain = next(d for d in demo_evaluation.domains if d.domain.id == "self_efficacy")
    extras = domain.extras
    assert extras is not None and extras.programme_model is not None
    result = extras.programme_model
    assert result.model is not None
    # every programme is in the model and everyone's programme was recorded
    assert result.n_matched == domain.n_pairs
    found = programme_findings(result, domain.domain, 5)
    text = next(f.plain for f in found if f.kind == "programme_difference")
    assert (
        f"{result.model.n_participants} people, {domain.n_pairs} of them measured before and "
        "after" in text
    )
    assert result.to_dict()["n_matched"] == domain.n_pairs


def test_report_with_a_larger_group_size_leaves_the_model_out(
    demo_evaluation: Evaluation,
) -> None:
    # the evaluation used 5; the report's 10 hides Anna Freud (9) and a protector in the
    # breakdown, so the model's changes (fitted with them) are not shown in its block either
    report = build_report(demo_evaluation, min_group_size=10)
    blocks = [block for section in report.sections for block in section.blocks]
    start = next(
        i
        for i, block in enumerate(blocks)
        if isinstance(block, Heading) and block.text == "Self-efficacy: cohorts and programmes"
    )
    end = next(
        (i for i in range(start + 1, len(blocks)) if isinstance(blocks[i], Heading)),
        len(blocks),
    )
    text = repr(blocks[start:end])
    assert "Anna Freud +" not in text
    assert not any(isinstance(b, Table) and "by programme" in b.caption for b in blocks[start:end])
    assert "this report's group size of 10" in text
    assert any(
        isinstance(b, Findings) and any("independent people" in plain for plain, _ in b.items)
        for b in blocks[start:end]
    )
