"""A post-test-only design with retrospective items: the report shows the then/now table.

domain_blocks stops early when nobody was matched before and after; the retrospective pre-test
needs no matched pairs, so its blocks must still reach the report (and the web results page,
which renders the same report).
"""

from __future__ import annotations

from pathlib import Path

from imheval.evaluation.plan import evaluate_file
from imheval.instruments.loader import load_instrument
from imheval.reports import build_report
from imheval.reports.model import Table

GOLDEN = Path(__file__).parents[1] / "golden"


def _captions(report: object) -> list[str]:
    return [
        block.caption
        for section in report.sections  # type: ignore[attr-defined]
        for block in section.blocks
        if isinstance(block, Table)
    ]


def test_post_only_report_shows_then_against_now() -> None:
    instrument = load_instrument(GOLDEN / "retrospective_instrument.yaml")
    evaluation = evaluate_file(GOLDEN / "retrospective_post_only.csv", [instrument])
    assert evaluation.domain("confidence").n_pairs == 0
    captions = _captions(build_report(evaluation))
    assert captions.count("Confidence: retrospective pre-test (then) against now") == 1


def test_with_a_real_pre_test_the_tables_appear_once() -> None:
    instrument = load_instrument(GOLDEN / "retrospective_instrument.yaml")
    evaluation = evaluate_file(GOLDEN / "retrospective_responses.csv", [instrument])
    assert evaluation.domain("confidence").n_pairs >= 5
    captions = _captions(build_report(evaluation))
    assert captions.count("Confidence: retrospective pre-test (then) against now") == 1
    assert (
        captions.count("Confidence: response shift (thinking back against the real pre-test)") == 1
    )
