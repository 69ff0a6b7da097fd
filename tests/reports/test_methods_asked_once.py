"""Review of issue 18, items 10 and 12: the Methods section for a domain asked once by design,
and the mixed model as imheval fits it now."""

from __future__ import annotations

from pathlib import Path

import pytest

from imheval.demo import demo_instruments
from imheval.evaluation import evaluate_file
from imheval.evaluation.plan import Evaluation
from imheval.instruments import get_builtin
from imheval.reports.context import ReportContext
from imheval.reports.model import Callout, Table
from imheval.reports.sections.methods import MIXED_MODEL_METHODS, methods_section
from imheval.reports.wording import HIDDEN


def _followup_study(path: Path) -> Path:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from test_followup_practice import followup_study

    return followup_study(path)


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    path = _followup_study(tmp_path_factory.mktemp("once") / "study.csv")
    return evaluate_file(path, [*demo_instruments(), get_builtin("imh-practice-followup")])


def test_a_domain_asked_once_is_not_a_limitation(evaluation: Evaluation) -> None:
    section = methods_section(ReportContext(evaluation, 5))
    single = evaluation.single("practice")
    assert single is not None and single.computed
    warnings = [b.text for b in section.blocks if isinstance(b, Callout)]
    assert not [w for w in warnings if single.label in w and "could not be assessed" in w]


def test_the_scoring_table_lists_only_the_timepoint_a_domain_was_asked_at(
    evaluation: Evaluation,
) -> None:
    section = methods_section(ReportContext(evaluation, 5))
    single = evaluation.single("practice")
    assert single is not None
    table = next(
        b
        for b in section.blocks
        if isinstance(b, Table) and b.caption.startswith("How the answers")
    )
    practice = [row for row in table.rows if row[0] == single.label]
    assert [row[1] for row in practice] == ["Follow-up"]
    assert practice[0][2] not in ("0", HIDDEN)
    assert any("at one timepoint only" in note for note in table.notes)


def test_the_mixed_model_is_described_as_fitted_now() -> None:
    assert "(1 | cohort:participant)" in MIXED_MODEL_METHODS
    assert "lme4" in MIXED_MODEL_METHODS
    assert "with statsmodels;" not in MIXED_MODEL_METHODS
    assert "fallback" in MIXED_MODEL_METHODS
