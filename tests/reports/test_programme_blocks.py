"""The programme model on the demo study: the evaluation, its findings, JSON and report blocks."""

from __future__ import annotations

import json

import pandas as pd

from imheval.evaluation import Evaluation
from imheval.evaluation.programmes import ProgrammeModel, programme_analysis, programme_findings
from imheval.reports import Report
from imheval.reports.model import Findings, Heading, Table


def _models(evaluation: Evaluation) -> dict[str, ProgrammeModel]:
    found = {}
    for domain in evaluation.domains:
        extras = domain.extras
        if extras is not None and extras.programme_model is not None:
            found[domain.domain.id] = extras.programme_model
    return found


def test_demo_domains_have_icc_and_programme_model(demo_evaluation: Evaluation) -> None:
    models = _models(demo_evaluation)
    assert "self_efficacy" in models
    result = models["self_efficacy"]
    assert result.n_cohorts == 6
    assert result.icc.computed and result.icc.design_effect is not None
    assert result.icc.design_effect > 1
    model = result.model
    assert model is not None and model.computed
    assert model.programmes == ("Anna Freud", "Solihull", "Think Family")
    assert model.interaction is not None and model.interaction.numerator_df == 2
    assert model.structure in ("slopes", "intercepts")
    assert model.structure_reason
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["model"]["interaction"]["numerator_df"] == 2
    assert data["icc"]["design_effect"] == result.icc.design_effect


def test_demo_findings_are_plain_english_with_statistics(demo_evaluation: Evaluation) -> None:
    domain = next(d for d in demo_evaluation.domains if d.domain.id == "self_efficacy")
    extras = domain.extras
    assert extras is not None
    found = programme_findings(extras.programme_model, domain.domain, 5)
    kinds = [f.kind for f in found]
    assert kinds == ["cohort_icc", "programme_difference"]
    icc, difference = found
    assert "independent people" in icc.plain and "design effect" in icc.statistics
    assert "between programmes" in difference.plain
    assert "cohorts and" in difference.plain
    # the demo's slopes are singular while cohorts' gains differ: the finding says so
    assert extras.programme_model is not None
    if extras.programme_model.caution is not None:
        assert "may be too narrow" in difference.plain
    assert difference.statistics.startswith("F(2, ")


def test_demo_report_shows_the_blocks(demo_report: Report) -> None:
    blocks = [block for section in demo_report.sections for block in section.blocks]
    headings = [i for i, b in enumerate(blocks) if isinstance(b, Heading)]
    start = next(
        i
        for i in headings
        if blocks[i].text == "Self-efficacy: cohorts and programmes"  # type: ignore[union-attr]
    )
    following = blocks[start + 1 : start + 8]
    assert any(isinstance(b, Findings) for b in following)
    tables = [b for b in following if isinstance(b, Table)]
    captions = [t.caption for t in tables]
    assert "Self-efficacy: how alike people trained together gained" in captions
    changes = next(t for t in tables if "by programme" in t.caption)
    assert [row[0] for row in changes.rows] == ["Anna Freud", "Solihull", "Think Family"]
    assert any(
        note.startswith("Did the change differ between programmes? F(2,") for note in changes.notes
    )


def _long(programmes: list[str], per_cohort: int) -> pd.DataFrame:
    rows = []
    for c, programme in enumerate(programmes):
        for i in range(per_cohort):
            for t, bump in (("pre", 0.0), ("post", 3.0 + c + (i % 3))):
                rows.append(
                    {
                        "cohort": f"C{c}",
                        "programme": programme,
                        "participant": c * 100 + i,
                        "time": t,
                        "score": 10.0 + i + bump,
                    }
                )
    return pd.DataFrame(rows)


def test_small_programmes_are_left_out_and_said() -> None:
    long = _long(["A", "A", "B", "B", "C"], 6)
    long = long[~((long["programme"] == "C") & (long["participant"] % 100 >= 3))]
    result = programme_analysis(long, min_group_size=5)
    assert result is not None
    # C (3 people) is left out, and A with it, as the breakdown by programme hides it to
    # protect C (tests/reports/test_programme_protect.py); one programme is left
    assert [item.programme for item in result.left_out] == ["A", "C"]
    assert all(item.n_participants is None for item in result.left_out)  # too few to show
    assert result.model is None and result.model_reason is not None


def test_one_cohort_gives_none_and_one_programme_gives_icc_only() -> None:
    assert programme_analysis(_long(["A"], 8), 5) is None
    result = programme_analysis(_long(["A", "A", "A"], 8), 5)
    assert result is not None and result.model is None
    assert result.reason == "only one programme was recorded"
    assert result.icc.n_cohorts == 3


def test_unrecorded_programme_is_counted_not_modelled() -> None:
    long = _long(["A", "A", "B", "B", ""], 6)
    result = programme_analysis(long, 5)
    assert result is not None and result.n_unrecorded == 6
    assert result.model is not None and result.model.programmes == ("A", "B")
