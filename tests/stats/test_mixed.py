"""The linear mixed model: the cohort rule, hand-checkable fits, and every not-computed path."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from imheval.errors import AnalysisError
from imheval.stats import mixed, mixed_model
from imheval.stats.mixed import FEWER_THAN_5_COHORTS


def _long(pre: list[float], post: list[float], cohorts: list[str] | None = None) -> pd.DataFrame:
    n = len(pre)
    labels = cohorts or ["A"] * n
    people = [f"P{i}" for i in range(n)]
    return pd.DataFrame(
        {
            "participant": people * 2,
            "cohort": labels * 2,
            "time": ["pre"] * n + ["post"] * n,
            "score": pre + post,
        }
    )


PRE = [2.0, 3.0, 5.0, 4.0, 6.0, 1.0]
POST = [4.0, 4.5, 7.0, 7.0, 7.0, 2.5]  # correlates positively with PRE


def test_one_cohort_pre_post_model_reproduces_the_paired_t_test() -> None:
    # With two times and complete pairs, score ~ time + (1 | participant) gives the mean change
    # with SE = sd(d) / sqrt(n): the paired t statistic (as long as the pre-post correlation is
    # positive, so the participant variance is above zero), and Satterthwaite's df are then
    # exactly n - 1, so p and the CI are the paired t-test's.
    result = mixed_model(_long(PRE, POST))
    diff = np.array(POST) - np.array(PRE)
    assert result.computed, result.reason
    assert result.cohort_effect == "none"
    assert result.formula == "score ~ time + (1 | participant)"
    assert "Satterthwaite" in result.method
    effect = result.fixed_effect("timepost")
    assert effect is not None
    assert effect.estimate == pytest.approx(diff.mean(), rel=1e-9)
    assert effect.se == pytest.approx(diff.std(ddof=1) / math.sqrt(6), rel=1e-5)
    assert effect.statistic == pytest.approx(effect.estimate / effect.se, rel=1e-12)
    assert effect.df == pytest.approx(5.0, rel=1e-5)
    # scipy.stats.ttest_rel(POST, PRE): t = 6.57375735, p = 0.00122227180
    assert effect.statistic == pytest.approx(6.5737573513391645, rel=1e-5)
    assert effect.p == pytest.approx(0.0012222717977521049, rel=1e-5)
    t_crit = 2.5705818366147395  # qt(0.975, 5)
    low, high = effect.ci.to_list()
    assert low == pytest.approx(effect.estimate - t_crit * effect.se, rel=1e-5)
    assert high == pytest.approx(effect.estimate + t_crit * effect.se, rel=1e-5)
    assert effect.to_dict()["df"] == effect.df
    assert effect.apa() == "t(5.0) = 6.57, p = .001"
    intercept = result.fixed_effect("(Intercept)")
    assert intercept is not None and intercept.estimate == pytest.approx(np.mean(PRE), rel=1e-9)
    components = result.variance_components
    assert components is not None and components.cohort is None
    # residual = var(d) / 2 and participant = cov(pre, post) in this balanced design.
    assert components.residual == pytest.approx(diff.var(ddof=1) / 2, rel=1e-4)
    assert components.participant == pytest.approx(np.cov(PRE, POST)[0, 1], rel=1e-4)
    assert (result.n_observations, result.n_participants, result.n_cohorts) == (12, 6, 1)


def test_negatively_correlated_scores_give_a_singular_fit_equal_to_ordinary_regression() -> None:
    pre = [1.0, 2.0, 3.0, 4.0, 5.0]
    post = [6.0, 5.5, 5.0, 4.0, 4.5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # statsmodels' warnings must be recorded, not raised
        result = mixed_model(_long(pre, post))
    assert result.computed and result.singular
    components = result.variance_components
    assert components is not None and components.participant == 0.0
    pooled = (np.var(pre, ddof=1) + np.var(post, ddof=1)) / 2
    assert components.residual == pytest.approx(pooled, rel=1e-9)
    effect = result.fixed_effect("timepost")
    assert effect is not None
    assert effect.se == pytest.approx(math.sqrt(2 * pooled / 5), rel=1e-9)
    # At the boundary the model is ordinary regression: the t-test has n - p = 10 - 2 df.
    assert effect.df == pytest.approx(8.0, rel=1e-5)
    assert any("estimated at zero" in note for note in result.notes)


def test_fewer_than_five_cohorts_makes_cohort_fixed_and_says_why() -> None:
    cohorts = ["B", "A", "A", "B", "C", "C"]
    result = mixed_model(_long(PRE, POST, cohorts))
    assert result.cohort_effect == "fixed"
    assert result.cohort_effect_reason == FEWER_THAN_5_COHORTS
    assert "fewer than 5 cohorts" in FEWER_THAN_5_COHORTS
    assert result.formula == "score ~ time + cohort + (1 | participant)"
    assert [e.term for e in result.fixed_effects] == [
        "(Intercept)",
        "timepost",
        "cohortB",
        "cohortC",
    ]
    assert result.to_dict()["cohort_effect_reason"] == FEWER_THAN_5_COHORTS


def test_five_cohorts_make_cohort_random() -> None:
    rng = np.random.default_rng(7)
    n = 25
    pre = list(np.round(rng.normal(3, 1, n), 1))
    post = [p + 2 + float(e) for p, e in zip(pre, np.round(rng.normal(0, 0.5, n), 1), strict=True)]
    cohorts = [f"K{i % 5}" for i in range(n)]
    result = mixed_model(_long(pre, post, cohorts))
    assert result.computed, result.reason
    assert result.cohort_effect == "random" and result.cohort_effect_reason is None
    assert result.formula == "score ~ time + (1 | cohort) + (1 | cohort:participant)"
    assert result.n_cohorts == 5
    assert result.variance_components is not None
    assert result.variance_components.cohort is not None


def test_the_same_code_in_two_cohorts_is_two_people() -> None:
    frame = _long(PRE, POST, ["A", "A", "A", "B", "B", "B"])
    frame["participant"] = ["P0", "P1", "P2", "P0", "P1", "P2"] * 2
    result = mixed_model(frame)
    assert result.n_participants == 6


def test_missing_scores_and_labels_are_dropped() -> None:
    frame = _long(PRE, POST)
    frame.loc[0, "score"] = np.nan
    frame.loc[1, "participant"] = None
    frame.loc[2, "cohort"] = "  "
    result = mixed_model(frame)
    assert result.n_observations == 9


def test_too_many_participants_is_not_computed_with_the_reason() -> None:
    result = mixed_model(_long(PRE, POST), max_participants=5)
    assert not result.computed
    assert result.reason is not None
    assert result.reason.startswith("more participants than the limit set for the mixed model")
    assert "(N = 6 > 5)" in result.reason
    assert result.fixed_effects == () and result.variance_components is None


@pytest.mark.parametrize(
    ("times", "words"),
    [
        (["post", "followup"], "no pre-test scores"),
        (["pre", "pre"], "only pre-test scores"),
    ],
)
def test_without_pre_or_a_later_time_it_is_not_computed(times: list[str], words: str) -> None:
    frame = _long(PRE, POST)
    frame["time"] = [times[0]] * 6 + [times[1]] * 6
    frame["participant"] = (
        [f"P{i}" for i in range(12)] if times[0] == times[1] else frame["participant"]
    )
    result = mixed_model(frame)
    assert not result.computed and result.reason is not None and words in result.reason


def test_nobody_measured_twice_is_not_computed() -> None:
    frame = _long(PRE, POST)
    frame["participant"] = [f"P{i}" for i in range(12)]
    result = mixed_model(frame)
    assert not result.computed
    assert result.reason is not None and "nobody has scores at two times" in result.reason


def test_too_few_observations_is_not_computed() -> None:
    result = mixed_model(_long([1.0, 2.0], [3.0, 5.0]))
    assert not result.computed
    assert result.reason is not None and result.reason.startswith("too few observations (4)")


def test_an_empty_table_is_not_computed() -> None:
    frame = pd.DataFrame({"participant": [], "cohort": [], "time": [], "score": []})
    result = mixed_model(frame)
    assert not result.computed and result.reason == "there are no scores"


def test_random_cohort_needs_two_cohorts() -> None:
    result = mixed_model(_long(PRE, POST), cohort_effect="random")
    assert not result.computed
    assert result.reason == "a cohort variance needs at least 2 cohorts"


def test_not_computed_results_are_clean_json() -> None:
    result = mixed_model(_long(PRE, POST), max_participants=1)
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["computed"] is False and data["converged"] is False


def test_computed_results_are_clean_json() -> None:
    data = mixed_model(_long(PRE, POST)).to_dict()
    json.dumps(data, allow_nan=False)
    assert data["computed"] is True and data["converged"] is True
    assert data["fixed_effects"][1]["term"] == "timepost"
    assert 0.0 <= data["fixed_effects"][1]["p"] <= 1.0


def test_a_missing_column_is_a_caller_error() -> None:
    with pytest.raises(AnalysisError, match="lacks the column"):
        mixed_model(_long(PRE, POST).drop(columns="time"))


def test_an_unknown_time_label_is_a_caller_error() -> None:
    frame = _long(PRE, POST)
    frame.loc[0, "time"] = "week 6"
    with pytest.raises(AnalysisError, match="unknown time label"):
        mixed_model(frame)


def test_time_labels_ignore_case_and_spaces() -> None:
    frame = _long(PRE, POST)
    frame["time"] = frame["time"].str.upper() + " "
    assert mixed_model(frame).computed


def test_non_numeric_scores_are_a_caller_error() -> None:
    frame = _long(PRE, POST)
    frame["score"] = frame["score"].astype(object)
    frame.loc[0, "score"] = "high"
    with pytest.raises(AnalysisError, match="score must be numbers"):
        mixed_model(frame)


@pytest.mark.parametrize(
    "options",
    [
        {"cohort_effect": "mixed"},
        {"max_participants": 0},
        {"max_participants": 2.5},
        {"max_participants": True},
    ],
)
def test_invalid_options_are_caller_errors(options: dict[str, object]) -> None:
    with pytest.raises(AnalysisError):
        mixed_model(_long(PRE, POST), **options)  # type: ignore[arg-type]


def test_a_table_that_is_not_a_dataframe_is_a_caller_error() -> None:
    with pytest.raises(AnalysisError, match="DataFrame"):
        mixed_model([[1, 2, 3]])  # type: ignore[arg-type]


def test_without_satterthwaite_df_the_tests_fall_back_to_normal_and_say_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A likelihood too flat for its Hessian: no df, so p and CI use the normal distribution.
    monkeypatch.setattr(mixed, "_satterthwaite_df", lambda *args: (None, None))
    result = mixed_model(_long(PRE, POST))
    effect = result.fixed_effect("timepost")
    assert effect is not None and effect.df is None
    assert effect.p == pytest.approx(2 * stats.norm.sf(effect.statistic), rel=1e-12)
    low, high = effect.ci.to_list()
    assert low == pytest.approx(effect.estimate - 1.959963984540054 * effect.se, rel=1e-12)
    assert high == pytest.approx(effect.estimate + 1.959963984540054 * effect.se, rel=1e-12)
    assert effect.apa().startswith("z = 6.57, ")
    assert effect.to_dict()["df"] is None
    assert any("could not be computed" in note for note in result.notes)


def _simulated(n_people: int, n_cohorts: int, seed: int) -> pd.DataFrame:
    """Pre, post and (for a third of people) follow-up scores; a fifth miss their post-test."""
    rng = np.random.default_rng(seed)
    cohort = rng.integers(0, n_cohorts, n_people)
    level = 10 + rng.normal(0, 1.0, n_cohorts)[cohort] + rng.normal(0, 2.0, n_people)
    rows = []
    for person in range(n_people):
        times = ["pre", "post", "followup"] if person % 3 == 0 else ["pre", "post"]
        if person % 5 == 1:
            times = ["pre"]
        for time, gain in zip(times, (0.0, 3.0, 2.0), strict=False):
            score = level[person] + gain + rng.normal(0, 1.5)
            rows.append((f"p{person}", f"c{cohort[person]}", time, score))
    return pd.DataFrame(rows, columns=["participant", "cohort", "time", "score"])


def test_the_grouped_gls_equals_the_dense_matrix_algebra() -> None:
    frame = _simulated(40, 6, seed=3)  # people with 1, 2 and 3 scores, unequal cohorts
    data = mixed._prepare(frame)
    exog, _, _ = mixed._design(data, "random")
    variances = mixed._Variances(cohort=0.7, participant=2.5, residual=1.3)
    n = data.score.size
    same_person = data.participant[:, None] == data.participant[None, :]
    same_cohort = data.cohort[:, None] == data.cohort[None, :]
    v = 1.3 * np.eye(n) + 2.5 * same_person + 0.7 * same_cohort
    v_inv = np.linalg.inv(v)
    xvx = exog.T @ v_inv @ exog
    beta = np.linalg.solve(xvx, exog.T @ v_inv @ data.score)
    residual = data.score - exog @ beta
    k = exog.shape[1]
    log_likelihood = -0.5 * (
        np.linalg.slogdet(v)[1]
        + np.linalg.slogdet(xvx)[1]
        + residual @ v_inv @ residual
        + (n - k) * math.log(2 * math.pi)
    )
    found = mixed._gls(mixed._Structure.of(data, exog), variances)
    assert found is not None
    assert found[0] == pytest.approx(beta, rel=1e-10)
    assert found[1] == pytest.approx(np.linalg.inv(xvx), rel=1e-9)
    assert found[2] == pytest.approx(log_likelihood, rel=1e-11)


@pytest.mark.parametrize("effect", ["random", "fixed"])
def test_the_profiled_fit_agrees_with_statsmodels(effect: str) -> None:
    frame = _simulated(300, 12, seed=11)
    data = mixed._prepare(frame)
    exog, _, _ = mixed._design(data, effect)
    structure = mixed._Structure.of(data, exog)
    ours = mixed._profiled_reml_fit(structure, effect)
    theirs = mixed._statsmodels_fallback(data, exog, structure, effect)
    assert ours is not None and theirs.failure is None
    ours_fit, theirs_fit = mixed._gls(structure, ours), mixed._gls(structure, theirs.variances)
    assert ours_fit is not None and theirs_fit is not None
    # the REML optimum: ours at least as high, and the same point
    assert ours_fit[2] >= theirs_fit[2] - 1e-7
    assert ours.residual == pytest.approx(theirs.variances.residual, rel=1e-3)
    assert ours.participant == pytest.approx(theirs.variances.participant, rel=1e-3)
    assert ours.cohort == pytest.approx(theirs.variances.cohort, rel=1e-3, abs=1e-8)
    assert ours_fit[0] == pytest.approx(theirs_fit[0], rel=1e-4)


def test_large_data_are_fitted_and_recover_the_simulated_variances() -> None:
    frame = _simulated(20_000, 400, seed=5)
    result = mixed_model(frame)
    assert result.computed, result.reason
    components = result.variance_components
    assert components is not None and components.cohort is not None
    # simulated: cohort SD 1, participant SD 2, residual SD 1.5; post +3, follow-up +2
    assert components.cohort == pytest.approx(1.0, rel=0.2)
    assert components.participant == pytest.approx(4.0, rel=0.05)
    assert components.residual == pytest.approx(2.25, rel=0.05)
    post, follow = result.fixed_effect("timepost"), result.fixed_effect("timefollowup")
    assert post is not None and post.estimate == pytest.approx(3.0, abs=0.05)
    assert follow is not None and follow.estimate == pytest.approx(2.0, abs=0.06)


def test_statsmodels_warnings_are_kept_apart_from_the_notes_a_reader_sees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Negatively correlated scores put the participant variance on the boundary, where
    # statsmodels' unbounded optimiser warns; force the fallback to see its warnings.
    monkeypatch.setattr(mixed, "_profiled_reml_fit", lambda structure, effect: None)
    pre = [1.0, 2.0, 3.0, 4.0, 5.0]
    post = [6.0, 5.5, 5.0, 4.0, 4.5]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # recorded, never raised
        result = mixed_model(_long(pre, post))
    assert result.method == mixed.METHOD_FALLBACK
    assert result.software_warnings, "statsmodels warns on this boundary fit"
    assert all(w.startswith("statsmodels: ") for w in result.software_warnings)
    assert not any(note.startswith("statsmodels: ") for note in result.notes)
    document = result.to_dict()
    assert document["software_warnings"] == list(result.software_warnings)
    assert document["notes"] == [*result.notes, *result.software_warnings]
