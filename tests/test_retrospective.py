"""The retrospective pre-test: reading ``<item>@then`` columns, refusing misplaced ones, the
template, the analysis's small-group and missing-data paths, findings, report blocks, JSON.

The statistics themselves are checked against R in tests/golden/test_retrospective_against_r.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from imheval.errors import DataFormatError, InstrumentError
from imheval.evaluation.plan import evaluate, evaluate_file
from imheval.instruments.loader import load_instrument, load_instrument_text
from imheval.io.reader import read_responses
from imheval.io.table import ResponseTable
from imheval.io.templates import response_template
from imheval.reports import build_report
from imheval.reports.context import ReportContext
from imheval.reports.model import Callout, Heading, Table
from imheval.reports.sections.retrospective_blocks import retrospective_blocks
from imheval.scoring import score_items

GOLDEN = Path(__file__).parent / "golden"
INSTRUMENT = load_instrument(GOLDEN / "retrospective_instrument.yaml")
RESPONSES = GOLDEN / "retrospective_responses.csv"
ITEMS = [item.id for item in INSTRUMENT.items]


def _write(tmp_path: Path, text: str, name: str = "r.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reader_keeps_then_columns_apart_from_items() -> None:
    table = read_responses(RESPONSES, item_columns=ITEMS)
    assert table.item_columns == tuple(ITEMS)
    assert table.then_columns == ("c1@then", "c2@then", "c3@then")
    post = table.frame[table.frame["timepoint"] == "post"]
    assert set(post["c1@then"]) - {""}  # answers are kept as text
    assert not any("@then" in warning for warning in table.warnings)


def test_reader_matches_then_columns_ignoring_case_in_wide_files(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "participant,pre_c1,pre_c2,pre_c3,post_c1,post_c2,post_c3,post_C1@THEN,post_c2@then\n"
        "A1,2,2,2,4,4,4,1,2\n",
    )
    table = read_responses(path, item_columns=ITEMS)
    assert table.then_columns == ("c1@then", "c2@then")
    post = table.frame[table.frame["timepoint"] == "post"].iloc[0]
    assert (post["c1@then"], post["c2@then"]) == ("1", "2")
    pre = table.frame[table.frame["timepoint"] == "pre"].iloc[0]
    assert pre["c1@then"] == ""


def test_then_column_of_an_unknown_item_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = _write(tmp_path, "participant,timepoint,c1,zz@then\nA1,post,3,2\n")
    table = read_responses(path, item_columns=ITEMS)
    assert table.then_columns == ()
    assert any("zz@then" in warning for warning in table.warnings)


def test_then_answer_for_an_item_that_is_not_retrospective_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "participant,timepoint,c1,c4,c4@then\nA1,post,3,4,2\n")
    table = read_responses(path, item_columns=ITEMS)
    with pytest.raises(DataFormatError) as caught:
        score_items(table, [INSTRUMENT])
    message = str(caught.value)
    assert "r.csv" in message and "c4@then" in message and "not a retrospective" in message


def test_then_answer_on_a_pre_row_is_refused_naming_the_row(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "participant,timepoint,c1,c2,c3,c1@then\nA1,pre,3,3,3,2\nA1,post,4,4,4,2\n",
    )
    table = read_responses(path, item_columns=ITEMS)
    with pytest.raises(DataFormatError) as caught:
        score_items(table, [INSTRUMENT])
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(2, "c1@then")]
    assert "post-test form only" in problems[0].message


def test_then_columns_change_no_other_result() -> None:
    """The then answers add an analysis; every other figure is what it was without them."""
    with_then = evaluate_file(RESPONSES, [INSTRUMENT]).to_dict()
    table = read_responses(RESPONSES, item_columns=ITEMS)
    plain = INSTRUMENT.model_copy(
        update={
            "items": tuple(
                item.model_copy(update={"retrospective": False})
                if getattr(item, "retrospective", False)
                else item
                for item in INSTRUMENT.items
            )
        }
    )
    frame = table.frame.drop(columns=list(table.then_columns))
    bare = ResponseTable(
        frame=frame, source=table.source, layout="tidy", item_columns=table.item_columns
    )
    without = evaluate(bare, [plain]).to_dict()
    retro_kinds = ("retrospective_change", "response_shift")
    for domain in (*with_then["domains"], *without["domains"]):
        domain.pop("retrospective")
        details = [f for f in domain.pop("finding_details") if f["kind"] not in retro_kinds]
        domain["findings"] = [f["text"] for f in details]
        domain["finding_details"] = details
    assert json.dumps(with_then["domains"], sort_keys=True) == json.dumps(
        without["domains"], sort_keys=True
    )


def test_keyed_item_cannot_be_retrospective() -> None:
    text = (GOLDEN / "retrospective_instrument.yaml").read_text()
    text = text.replace("    key: a\n", "    key: a\n    retrospective: true\n")
    with pytest.raises(InstrumentError) as caught:
        load_instrument_text(text, "bad.yaml")
    assert "right answer" in str(caught.value) and "rating items" in str(caught.value)


def test_template_lists_then_columns_answered_only_at_post() -> None:
    pre = response_template([INSTRUMENT], timepoint="pre")
    post = response_template([INSTRUMENT], timepoint="post")
    assert pre.then_columns == ("c1@then", "c2@then", "c3@then")
    assert list(pre.frame.columns)[-3:] == ["c1@then", "c2@then", "c3@then"]
    assert pre.frame.loc[0, "c1@then"] == ""
    assert post.frame.loc[0, "c1@then"] == "3"


def test_json_findings_and_report() -> None:
    evaluation = evaluate_file(RESPONSES, [INSTRUMENT])
    document = evaluation.to_dict()
    text = json.dumps(document, allow_nan=False)  # never NaN or Infinity
    assert '"retrospective"' in text
    confidence = evaluation.domain("confidence")
    assert confidence.extras is not None
    retro = confidence.extras.to_dict()["retrospective"]
    assert retro["n"] == 34 and retro["then_to_now"]["test"] == "paired_t"
    assert retro["response_shift"]["estimate"] < 0 and retro["caveats"]
    kinds = [f.kind for f in confidence.findings]
    assert "retrospective_change" in kinds and "response_shift" in kinds
    shift = next(f for f in confidence.findings if f.kind == "response_shift")
    assert "lower looking back" in shift.plain and "overstated" in shift.plain
    assert shift.statistics.startswith("t(25) = -2.99")
    change = next(f for f in confidence.findings if f.kind == "retrospective_change")
    assert "social desirability" in change.plain and "d_z = " in change.statistics
    # the knowledge domain has no retrospective item
    knowledge = evaluation.domain("knowledge").extras
    assert knowledge is not None and knowledge.retrospective is None

    report = build_report(evaluation)
    blocks = [b for s in report.sections for b in s.blocks]
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert "Confidence: before the training (thinking back) and now" in headings
    captions = [b.caption for b in blocks if isinstance(b, Table)]
    assert any("response shift" in caption for caption in captions)
    assert any(isinstance(b, Callout) and "social desirability" in b.text for b in blocks)


def test_small_group_is_not_shown(tmp_path: Path) -> None:
    lines = ["participant,timepoint,c1,c2,c3,c1@then,c2@then,c3@then"]
    for i in range(4):
        lines.append(f"P{i},post,4,4,2,2,3,3")
    path = _write(tmp_path, "\n".join(lines) + "\n")
    evaluation = evaluate_file(path, [INSTRUMENT])
    confidence = evaluation.domain("confidence")
    assert confidence.extras is not None
    retro = confidence.extras.retrospective
    assert retro is not None and retro.n is None and retro.then_to_now is None
    assert retro.reason is not None and "fewer than 5" in retro.reason
    assert not [f for f in confidence.findings if f.kind == "retrospective_change"]
    blocks = retrospective_blocks(ReportContext(evaluation, 5), confidence)
    texts = [b.text for b in blocks if isinstance(b, Callout)]
    assert any("fewer than 5" in t and "retrospective" in t for t in texts)
    assert not [b for b in blocks if isinstance(b, Table)]


def test_post_test_only_is_analysed_without_pairs() -> None:
    """No real pre-test at all: the then-to-now change stands on its own."""
    evaluation = evaluate_file(GOLDEN / "retrospective_post_only.csv", [INSTRUMENT])
    confidence = evaluation.domain("confidence")
    assert confidence.n_pairs == 0
    kinds = [f.kind for f in confidence.findings]
    assert "retrospective_change" in kinds and "response_shift" not in kinds
    blocks = retrospective_blocks(ReportContext(evaluation, 5), confidence)
    assert [b.caption for b in blocks if isinstance(b, Table)] == [
        "Confidence: retrospective pre-test (then) against now"
    ]
    assert any(isinstance(b, Callout) and "real pre-test" in b.text for b in blocks)


def test_no_then_columns_says_why(tmp_path: Path) -> None:
    lines = ["participant,timepoint,c1,c2,c3"]
    for i in range(6):
        lines += [f"P{i},pre,2,2,4", f"P{i},post,4,4,2"]
    path = _write(tmp_path, "\n".join(lines) + "\n")
    extras = evaluate_file(path, [INSTRUMENT]).domain("confidence").extras
    assert extras is not None and extras.retrospective is not None
    assert extras.retrospective.reason is not None
    assert "c1@then" in extras.retrospective.reason
