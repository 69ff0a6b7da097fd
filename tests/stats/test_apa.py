"""APA wording: rounding, p formatting and effect sizes."""

from __future__ import annotations

import pytest

from imheval.stats import (
    ConfidenceInterval,
    EffectSize,
    TestResult,
    apa_text,
    format_effect,
    format_p,
    paired_t,
)


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (2.75e-05, "p < .001"),
        (0.000999, "p < .001"),
        (0.001, "p = .001"),
        (0.0381, "p = .038"),
        (0.0625, "p = .063"),
        (0.384877, "p = .385"),
        (0.5, "p = .500"),
        (0.9996, "p > .999"),
        (1.0, "p > .999"),
        (None, "p = n/a"),
    ],
)
def test_format_p(p: float | None, text: str) -> None:
    assert format_p(p) == text


@pytest.mark.parametrize(
    ("result", "text"),
    [
        (TestResult("paired_t", "t", 5, 21.528692, 4.0, 2.75e-05), "t(4) = 21.53, p < .001"),
        (TestResult("anova", "F", 5, 1.030069, (1.0, 3.0), 0.384877), "F(1, 3) = 1.03, p = .385"),
        (
            TestResult("welch_anova", "F", 5, 1.652327, (1.0, 2.229947), 0.315923),
            "F(1, 2.23) = 1.65, p = .316",
        ),
        (TestResult("wilcoxon", "V", 5, 15.0, None, 0.0625), "V = 15, p = .063"),
        (TestResult("wilcoxon", "V", 14, 75.5, None, 0.004035), "V = 75.5, p = .004"),
        (TestResult("shapiro_wilk", "W", 5, 0.752371, None, 0.0313018), "W = 0.75, p = .031"),
        (TestResult("welch_t", "t", 9, -1.27598, 4.6077, 0.26249), "t(4.61) = -1.28, p = .262"),
    ],
)
def test_apa_text(result: TestResult, text: str) -> None:
    assert apa_text(result) == text
    assert result.apa() == text


def test_apa_text_of_not_computed_result_is_its_reason() -> None:
    result = TestResult.not_computed("anova", "F", 3, "only one group")
    assert apa_text(result) == "only one group"


def test_apa_text_of_seed_table_1() -> None:
    result = paired_t([2.0, 2.15, 2.89, 2.75, 2.73], [4.14, 4.38, 5.56, 4.92, 4.82])
    assert result.apa() == "t(4) = 21.53, p < .001"


def test_format_effect_with_ci() -> None:
    effect = EffectSize("cohen_dz", 1.23379, ConfidenceInterval(0.7995, 1.66))
    assert format_effect(effect) == "d_z = 1.23, 95% CI [0.80, 1.66]"


def test_format_effect_drops_leading_zero_for_bounded_effects() -> None:
    assert format_effect(EffectSize("r", 0.9657)) == "r = .97"
    eta = EffectSize("partial_eta_squared", 0.2556, ConfidenceInterval(0.0, 0.7565, 0.90))
    assert format_effect(eta) == "η²_p = .26, 90% CI [.00, .76]"
    assert format_effect(EffectSize("rank_biserial", -0.5)) == "r_rb = -.50"


def test_format_effect_never_prints_negative_zero() -> None:
    assert format_effect(EffectSize("hedges_g", -0.001)) == "g = 0.00"
