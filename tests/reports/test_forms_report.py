"""The report of an evaluation on parallel forms: item analysis form by form, never the
"data held domain scores" notice, which would be wrong there."""

from __future__ import annotations

from pathlib import Path

from imheval.evaluation import evaluate_file
from imheval.instruments import load_instrument_text
from imheval.reports import Report, build_report
from imheval.reports.model import Paragraph, Table
from test_forms import FORMS, _counterbalanced


def _report(tmp_path: Path) -> Report:
    forms = load_instrument_text(FORMS)
    path = tmp_path / "cb.csv"
    _counterbalanced(forms, harder_b=True).to_csv(path, index=False)
    return build_report(evaluate_file(path, [forms]))


def test_each_form_s_questions_are_analysed_among_those_who_answered_it(tmp_path: Path) -> None:
    report = _report(tmp_path)
    level2 = report.section("level-2")
    tables = {t.caption: t for t in level2.tables()}
    captions = [c for c in tables if "item analysis (" in c and "form" in c]
    assert captions == [
        "Knowledge, form A, before training: item analysis (3 questions; 12 people answered "
        "all of them)",
        "Knowledge, form A, after training: item analysis (3 questions; 12 people answered "
        "all of them)",
        "Knowledge, form B, before training: item analysis (4 questions; 12 people answered "
        "all of them)",
        "Knowledge, form B, after training: item analysis (4 questions; 12 people answered "
        "all of them)",
    ]
    form_b_before = tables[captions[2]]
    assert form_b_before.header == (
        "Question",
        "Facility",
        "Item-rest r",
        "KR-20 if deleted",
        "Flag",
    )
    assert [row[0].split(":")[0] for row in form_b_before.rows] == ["K0", "KB1", "KB2", "KB3"]
    # Form B before training: K0 always wrong; KB1 right for 6 of 12, KB2 for 2, KB3 for none
    # (right answers per person 0,0,0,1,1,2, given in item order).
    facilities = [row[1] for row in form_b_before.rows]
    assert facilities == [".00", ".50", ".17", ".00"]
    texts = [b.text for b in level2.blocks if isinstance(b, Paragraph)]
    assert any(t.startswith("People answered different forms of these questions") for t in texts)
    assert not any("the data held domain scores" in t for t in texts)
    assert all(isinstance(t, Table) for t in tables.values())
