"""The report rewrites a floor finding at its own (larger) minimum group size, as ceilings are:
a share of fewer than N people is a count in disguise, so only the threshold is given."""

from __future__ import annotations

from pathlib import Path

import imheval.demo
from imheval.demo.generate import DEMO_CSV, _builtin_instruments
from imheval.evaluation import evaluate_file
from imheval.reports.context import ReportContext
from imheval.reports.sections.summary import domain_findings

DEMO = Path(imheval.demo.__file__).parent / DEMO_CSV


def test_floor_share_of_too_few_people_gives_only_the_threshold() -> None:
    evaluation = evaluate_file(DEMO, _builtin_instruments())
    knowledge = evaluation.domain("knowledge")
    written = next(f for f in knowledge.findings if f.kind == "floor")
    at_min = written.figure("n_at_min")
    assert isinstance(at_min, int) and 5 <= at_min < knowledge.n_pairs
    # the evaluation's own size shows the share and the count
    same = next(
        f for f in domain_findings(ReportContext(evaluation, 5), knowledge) if f.kind == "floor"
    )
    assert same.text == written.text and same.figure("n_at_min") == at_min
    # a report protecting groups of up to at_min people gives neither
    larger = ReportContext(evaluation, at_min + 1)
    rewritten = next(f for f in domain_findings(larger, knowledge) if f.kind == "floor")
    assert rewritten.text.startswith("More than 15% of people scored the minimum before")
    assert rewritten.figure("share") is None and rewritten.figure("n_at_min") is None
    assert f"{written.figure('share'):.0%}" not in rewritten.text
