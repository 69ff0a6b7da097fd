"""The mixed model's Satterthwaite df are shown to one decimal, the precision they have.

The df come from a numerical Hessian at a numerically optimised REML fit and are good to about
five significant figures: moving the search's starting points by 1e-7 moves the demo study's
Self-efficacy intercept df from 5.855001 to 5.854995 or 5.854989. Shown to two decimals that
read 5.86 on one machine and 5.85 on another; to one decimal, 5.9 on both.
"""

from __future__ import annotations

import pytest

from imheval import evaluate_file, get_builtin
from imheval.demo import demo_path
from imheval.reports import build_report
from imheval.reports.model import Table
from imheval.stats.mixed import FixedEffect, reml
from imheval.stats.results import ConfidenceInterval

CAPTION = "Self-efficacy: linear mixed model, fixed effects (points)"


def _effect(df: float | None) -> FixedEffect:
    return FixedEffect(
        term="timepost",
        label="change from pre to post",
        estimate=2.23,
        se=0.2085,
        statistic=10.6914,
        df=df,
        p=1e-15,
        ci=ConfidenceInterval(1.82, 2.65),
    )


@pytest.mark.parametrize(
    ("df", "shown", "apa"),
    [
        (61.96, "62.0", "t(62.0) = 10.69, p < .001"),
        (5.855000840034177, "5.9", "t(5.9) = 10.69, p < .001"),
        (5.854988807316368, "5.9", "t(5.9) = 10.69, p < .001"),
        (9.25, "9.3", "t(9.3) = 10.69, p < .001"),  # halves round up, as everywhere in imheval
        (8.0, "8", "t(8) = 10.69, p < .001"),  # a whole number stays whole, as APA writes it
        (None, None, "z = 10.69, p < .001"),
    ],
)
def test_df_are_shown_to_one_decimal_and_kept_in_full(
    df: float | None, shown: str | None, apa: str
) -> None:
    effect = _effect(df)
    assert effect.df_text() == shown
    assert effect.apa() == apa
    assert effect.to_dict()["df"] == df


def _self_efficacy_df_text(monkeypatch: pytest.MonkeyPatch, factor: float) -> list[str]:
    """The fixed effects' APA texts and the report's df cells, with the starts scaled."""
    starts = tuple(start * factor for start in reml._THETA_STARTS)
    with monkeypatch.context() as patch:
        patch.setattr(reml, "_THETA_STARTS", starts)
        evaluation = evaluate_file(demo_path(), [get_builtin("imh-core@1.0.0")])
    domain = next(d for d in evaluation.domains if d.domain.id == "self_efficacy")
    assert domain.extras is not None
    model = domain.extras.mixed_model
    assert model.computed, model.reason
    report = build_report(evaluation)
    [table] = [
        block
        for block in report.section("level-2").blocks
        if isinstance(block, Table) and block.caption == CAPTION
    ]
    df_column = table.header.index("df")
    return [effect.apa() for effect in model.fixed_effects] + [row[df_column] for row in table.rows]


def test_df_text_does_not_move_when_the_fit_moves_by_its_own_precision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    as_fitted = _self_efficacy_df_text(monkeypatch, 1.0)
    assert as_fitted[-2:] == ["5.9", "70.6"]  # "5.86" / "5.85" at two decimals (5.855001)
    assert _self_efficacy_df_text(monkeypatch, 1 + 1e-7) == as_fitted
    assert _self_efficacy_df_text(monkeypatch, 1 - 1e-7) == as_fitted
