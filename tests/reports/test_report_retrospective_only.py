"""A post-test-only design with retrospective items: the report shows the then/now table.

domain_blocks stops early when nobody was matched before and after; the retrospective pre-test
needs no matched pairs, so its blocks must still reach the report (and the web results page,
which renders the same report).
"""

from __future__ import annotations

from pathlib import Path

from imheval.evaluation.plan import evaluate_file
from imheval.instruments.loader import load_instrument, load_instrument_text
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


def test_a_domain_described_at_one_timepoint_keeps_then_against_now() -> None:
    """Self-reported practice (level 3a) asked only on the post-test form, then and now: the
    domain is described, not tested, but its then-to-now change is kept, in the findings and
    in the report."""
    text = (GOLDEN / "retrospective_instrument.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "  - id: confidence\n    label: Confidence\n",
        "  - id: confidence\n    label: Confidence\n    barr_level: 3a\n",
    )
    instrument = load_instrument_text(text, "practice.yaml")
    assert {d.id: d.kirkpatrick_level for d in instrument.domains}["confidence"] == 3
    evaluation = evaluate_file(GOLDEN / "retrospective_post_only.csv", [instrument])
    assert evaluation.single("confidence") is not None
    kinds = [f.kind for f in evaluation.domain("confidence").findings]
    assert kinds[0] == "single_timepoint" and "retrospective_change" in kinds
    captions = _captions(build_report(evaluation))
    assert captions.count("Confidence: retrospective pre-test (then) against now") == 1
