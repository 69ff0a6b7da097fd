"""The packaged demo study: reproducible, seed 000's design, and analysable end to end.

Expected values are seed 000's published figures (Table 1, cohort sizes) or are recomputed here
with plain pandas/scipy from the CSV and the answer keys, never taken from imheval's output.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats

from imheval.demo import (
    DEMO_INSTRUMENT_IDS,
    demo_instruments,
    demo_path,
    generate_demo,
    write_demo,
)
from imheval.demo.generate import _generate, main
from imheval.instruments import Instrument, KeyedItem, RatingItem, get_builtin, load_instrument

# Seed 000, Table 1 and Results: matched people per cohort and knowledge means (out of 6).
SEED_COHORTS = {
    "TF1": ("Think Family", "Adult Services", 14, 2.00, 4.14),
    "TF2": ("Think Family", "Adult Services", 13, 2.15, 4.38),
    "TF3": ("Think Family", "Adult Services", 9, 2.89, 5.56),
    "S1": ("Solihull", "Children's Services", 12, 2.75, 4.92),
    "S2": ("Solihull", "Children's Services", 11, 2.73, 4.82),
    "AF1": ("Anna Freud", "Children's Services", 9, None, None),
}
KNOWLEDGE = [f"K{i}" for i in range(1, 7)]
RISK = [f"R{i}" for i in range(1, 9)]
EFFICACY = [f"S{i}" for i in range(1, 7)]
ADVANCED = [f"AK{i}" for i in range(1, 9)]
BANK = Path(__file__).parents[1] / "src" / "imheval" / "instruments" / "bank"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The packaged CSV as plain text cells, read by pandas alone."""
    return pd.read_csv(demo_path(), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def keys() -> dict[str, tuple[str, ...]]:
    return {
        item.id: item.key
        for instrument in demo_instruments()
        for item in instrument.items
        if isinstance(item, KeyedItem)
    }


@pytest.fixture(scope="module")
def totals(raw: pd.DataFrame, keys: dict[str, tuple[str, ...]]) -> pd.DataFrame:
    """Domain totals per row by the seed rule, computed here with pandas (NaN: not given)."""
    core = get_builtin("imh-core@1.0.0")
    reverse = {i.id for i in core.items if isinstance(i, RatingItem) and i.reverse}
    out = raw[["participant", "cohort", "timepoint", "directorate", "profession"]].copy()
    out["code"] = out["participant"].str.strip().str.upper()
    for name, items in (("knowledge", KNOWLEDGE), ("risk", RISK), ("advanced", ADVANCED)):
        correct = sum(raw[i].isin(keys[i]).astype(float) for i in items)
        given = (raw[items] != "").any(axis=1)
        out[name] = correct.where(given)
    ratings = raw[EFFICACY].replace("", np.nan).astype(float)
    for item in reverse:
        ratings[item] = 6 - ratings[item]
    out["efficacy"] = ratings.fillna(0).sum(axis=1)  # a blank rating scores 0 (seed rule)
    return out


@pytest.fixture(scope="module")
def pairs(totals: pd.DataFrame) -> pd.DataFrame:
    """One row per person with the same code at pre and post in one cohort."""
    pre = totals[totals["timepoint"] == "pre"]
    post = totals[totals["timepoint"] == "post"]
    return pre.merge(post, on=["cohort", "code"], how="inner", suffixes=("_pre", "_post"))


def _cohort_means(pairs: pd.DataFrame, domain: str) -> pd.DataFrame:
    measured = pairs.dropna(subset=[f"{domain}_pre", f"{domain}_post"])
    return measured.groupby("cohort")[[f"{domain}_pre", f"{domain}_post"]].mean()


# --- Reproducible ---------------------------------------------------------------------------


def test_regenerating_gives_exactly_the_committed_file(tmp_path: Path) -> None:
    output = tmp_path / "demo.csv"
    main(["--output", str(output)])
    assert output.read_bytes() == demo_path().read_bytes()


def test_generate_demo_returns_the_committed_rows_as_text(raw: pd.DataFrame) -> None:
    frame = generate_demo()
    assert frame.columns.tolist() == raw.columns.tolist()
    assert frame.astype(str).to_numpy().tolist() == raw.to_numpy().tolist()


def test_another_seed_gives_other_people_with_the_same_design(raw: pd.DataFrame) -> None:
    other = generate_demo(seed=7)
    assert set(other["participant"]) != set(raw["participant"])
    assert len(other) == len(raw)
    assert other.groupby(["cohort", "timepoint"]).size().to_dict() == (
        raw.groupby(["cohort", "timepoint"]).size().to_dict()
    )


def test_generating_from_instruments_without_a_demo_domain_names_the_missing_domain() -> None:
    with pytest.raises(ValueError, match="advanced_knowledge"):
        _generate([get_builtin("imh-core@1.0.0")], seed=1)


def test_write_demo_writes_the_csv_and_both_instruments(tmp_path: Path) -> None:
    written = write_demo(tmp_path / "new")
    assert [p.name for p in written] == [
        "demo_study.csv",
        "imh-core.yaml",
        "imh-advanced-knowledge.yaml",
    ]
    assert written[0].read_bytes() == demo_path().read_bytes()
    assert [load_instrument(p).id for p in written[1:]] == list(DEMO_INSTRUMENT_IDS)


# --- Seed 000's design ----------------------------------------------------------------------


def test_cohorts_belong_to_the_seed_programmes_and_directorates(raw: pd.DataFrame) -> None:
    found = raw.groupby("cohort")[["programme", "directorate"]].agg(set).to_dict("index")
    assert found == {
        cohort: {"programme": {programme}, "directorate": {directorate}}
        for cohort, (programme, directorate, *_rest) in SEED_COHORTS.items()
    }


def test_matched_people_per_cohort_are_the_seed_sizes(pairs: pd.DataFrame) -> None:
    sizes = pairs.groupby("cohort").size().to_dict()
    assert sizes == {cohort: spec[2] for cohort, spec in SEED_COHORTS.items()}
    assert len(pairs) == 68


def test_seventeen_more_people_took_only_one_test(totals: pd.DataFrame) -> None:
    people = totals.groupby(["cohort", "code"])["timepoint"].agg(frozenset)
    single = people[people.map(len) == 1]
    # 16 people lost at one timepoint, plus the typo person whose two rows do not match exactly.
    assert len(single) == 18
    assert set(single.index.get_level_values("cohort")) == set(SEED_COHORTS)
    assert len(totals) == 2 * 68 + 16 + 2


def test_one_post_test_code_is_one_character_away_from_an_unmatched_pre_code(
    totals: pd.DataFrame,
) -> None:
    people = totals.groupby(["cohort", "code"])["timepoint"].agg(frozenset).reset_index()
    near: list[tuple[str, str, str]] = []
    for cohort, group in people.groupby("cohort"):
        pre_only = group.loc[group["timepoint"] == frozenset({"pre"}), "code"]
        post_only = group.loc[group["timepoint"] == frozenset({"post"}), "code"]
        for early in pre_only:
            for late in post_only:
                if sum(a != b for a, b in zip(early, late, strict=True)) == 1:
                    near.append((str(cohort), early, late))
    assert len(near) == 1
    cohort, early, late = near[0]
    rows = totals[(totals["cohort"] == cohort) & totals["code"].isin([early, late])]
    assert rows["profession"].nunique() == 1
    assert rows["directorate"].nunique() == 1


def test_codes_look_self_generated_and_one_was_typed_in_lower_case(raw: pd.DataFrame) -> None:
    assert raw["participant"].str.fullmatch(r"[A-Za-z]{2}-\d{2}-[A-Za-z]").all()
    assert (raw["participant"] != raw["participant"].str.upper()).sum() == 1


def test_knowledge_cohort_means_reproduce_seed_table1(pairs: pd.DataFrame) -> None:
    means = _cohort_means(pairs, "knowledge")
    for cohort, (_, _, _, pre, post) in SEED_COHORTS.items():
        if pre is None:
            assert cohort not in means.index
            continue
        assert round(means.loc[cohort, "knowledge_pre"], 2) == pre
        assert round(means.loc[cohort, "knowledge_post"], 2) == post


def test_cohort_means_give_the_seed_published_cohort_level_results(pairs: pd.DataFrame) -> None:
    means = _cohort_means(pairs, "knowledge")
    paired = stats.ttest_rel(means["knowledge_post"], means["knowledge_pre"])
    assert round(float(paired.statistic), 2) == 21.68  # seed 000: t(4) = 21.68, p < .001
    gains = means["knowledge_post"] - means["knowledge_pre"]
    anova = stats.f_oneway(gains[["TF1", "TF2", "TF3"]], gains[["S1", "S2"]])
    assert round(float(anova.statistic), 2) == 1.07  # seed 000: F(1, 3) = 1.07, p = .378
    assert round(float(anova.pvalue), 3) == 0.378


def test_anna_freud_answered_advanced_knowledge_instead_of_knowledge(
    raw: pd.DataFrame, pairs: pd.DataFrame
) -> None:
    anna_freud = raw["cohort"] == "AF1"
    assert (raw.loc[anna_freud, KNOWLEDGE] == "").all().all()
    assert (raw.loc[~anna_freud, ADVANCED] == "").all().all()
    assert (raw.loc[anna_freud, ADVANCED] != "").any(axis=1).all()
    means = _cohort_means(pairs, "advanced")
    assert means.index.tolist() == ["AF1"]
    gain = means.loc["AF1", "advanced_post"] - means.loc["AF1", "advanced_pre"]
    assert 0.5 <= gain <= 2.0  # modest, out of 8


def test_risk_identification_gap_between_directorates_narrows(pairs: pd.DataFrame) -> None:
    percent = pairs.groupby("directorate_pre")[["risk_pre", "risk_post"]].mean() / 8 * 100
    adult = percent.loc["Adult Services"]
    children = percent.loc["Children's Services"]
    assert adult["risk_pre"] == pytest.approx(68, abs=1.5)
    assert adult["risk_post"] == pytest.approx(80, abs=1.5)
    assert children["risk_pre"] == pytest.approx(88, abs=1.5)
    assert children["risk_post"] == pytest.approx(91, abs=1.5)


def test_self_efficacy_gains_are_large_except_anna_freud(pairs: pd.DataFrame) -> None:
    means = (_cohort_means(pairs, "efficacy") - 6) / 24 * 100
    gains = means["efficacy_post"] - means["efficacy_pre"]
    for cohort in ("TF1", "TF2", "TF3", "S1", "S2"):
        assert 21 <= gains[cohort] <= 31, cohort
    assert means.loc["AF1", "efficacy_pre"] == pytest.approx(61, abs=2)
    assert gains["AF1"] == pytest.approx(8, abs=2)
    assert means["efficacy_pre"].idxmax() == "AF1"


# --- Items that hang together like a real questionnaire's -----------------------------------


@pytest.fixture(scope="module")
def yaml_keys() -> dict[str, set[str]]:
    """Answer keys read straight from the 1.0.0 bank files the demo was made for, every scalar
    as text.

    BaseLoader keeps ``key: yes`` as the text "yes" (YAML 1.1 would make it True).
    """
    found: dict[str, set[str]] = {}
    for path in sorted((BANK / "versions").glob("*-1.0.0.yaml")):
        document = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
        for item in document["items"]:
            if "key" in item:
                key = item["key"]
                found[item["id"]] = set(key) if isinstance(key, list) else {key}
    return found


def _matched_rows(raw: pd.DataFrame) -> pd.Series:
    """True on the rows of people with the same code at pre and post in one cohort."""
    person = raw["cohort"] + "|" + raw["participant"].str.strip().str.upper()
    at_pre = set(person[raw["timepoint"] == "pre"])
    at_post = set(person[raw["timepoint"] == "post"])
    return person.isin(at_pre & at_post)


def _matched_points(
    raw: pd.DataFrame, keys: dict[str, set[str]], items: list[str], timepoint: str
) -> np.ndarray:
    """People x items points (1 = keyed answer) of the matched people who were given the items."""
    given = (raw[items] != "").any(axis=1)
    rows = raw[_matched_rows(raw) & (raw["timepoint"] == timepoint) & given]
    return np.column_stack([rows[item].isin(keys[item]).to_numpy(float) for item in items])


def _kr20(points: np.ndarray) -> float:
    """Kuder-Richardson 20 (= Cronbach's alpha on 0/1 points), sample variances."""
    k = points.shape[1]
    item_variance = points.var(axis=0, ddof=1).sum()
    return float(k / (k - 1) * (1 - item_variance / points.sum(axis=1).var(ddof=1)))


def test_kr20_at_pre_is_that_of_a_real_questionnaire(
    raw: pd.DataFrame, yaml_keys: dict[str, set[str]]
) -> None:
    knowledge = _matched_points(raw, yaml_keys, KNOWLEDGE, "pre")
    risk = _matched_points(raw, yaml_keys, RISK, "pre")
    assert knowledge.shape == (68 - 9, 6)  # Anna Freud was not given knowledge
    assert risk.shape == (68, 8)
    assert 0.5 <= _kr20(knowledge) <= 0.9
    assert 0.5 <= _kr20(risk) <= 0.9


def test_kr20_matches_a_hand_computed_example() -> None:
    # Totals 3, 2, 1, 0: item variances (ddof 1) 1/4, 1/3, 1/4 -> sum 5/6; total variance 5/3.
    points = np.array([[1, 1, 1], [1, 1, 0], [0, 1, 0], [0, 0, 0]], dtype=float)
    assert _kr20(points) == pytest.approx(3 / 2 * (1 - (5 / 6) / (5 / 3)))


def test_self_efficacy_alpha_at_pre_is_that_of_a_real_scale(raw: pd.DataFrame) -> None:
    core = get_builtin("imh-core@1.0.0")
    reverse = {i.id for i in core.items if isinstance(i, RatingItem) and i.reverse}
    keep = _matched_rows(raw) & (raw["timepoint"] == "pre")
    ratings = raw.loc[keep, EFFICACY].replace("", np.nan).astype(float).dropna()
    for item in reverse:
        ratings[item] = 6 - ratings[item]
    assert len(ratings) >= 60
    values = ratings.to_numpy()
    alpha = 6 / 5 * (1 - values.var(axis=0, ddof=1).sum() / values.sum(axis=1).var(ddof=1))
    assert 0.5 <= alpha <= 0.9


@pytest.mark.parametrize("timepoint", ["pre", "post"])
def test_every_item_rises_with_the_rest_of_its_domain(
    raw: pd.DataFrame, yaml_keys: dict[str, set[str]], timepoint: str
) -> None:
    for items in (KNOWLEDGE, RISK):
        points = _matched_points(raw, yaml_keys, items, timepoint)
        total = points.sum(axis=1)
        for index, item in enumerate(items):
            rest = total - points[:, index]
            assert np.corrcoef(points[:, index], rest)[0, 1] > 0.1, (timepoint, item)


def test_items_are_not_all_at_ceiling(raw: pd.DataFrame, yaml_keys: dict[str, set[str]]) -> None:
    for items in (KNOWLEDGE, RISK):
        pre = _matched_points(raw, yaml_keys, items, "pre").mean(axis=0)
        post = _matched_points(raw, yaml_keys, items, "post").mean(axis=0)
        assert (pre < 0.95).all(), items
        assert (post < 0.9).sum() >= len(items) / 2, items


def test_another_seed_still_reproduces_the_seed_table1_totals() -> None:
    other = generate_demo(seed=7)
    keys = {i.id: i.key for i in get_builtin("imh-core@1.0.0").items if isinstance(i, KeyedItem)}
    other["code"] = other["participant"].str.upper()
    other["knowledge"] = sum(other[i].isin(keys[i]).astype(int) for i in KNOWLEDGE)
    pre = other[other["timepoint"] == "pre"]
    post = other[other["timepoint"] == "post"]
    both = pre.merge(post, on=["cohort", "code"], suffixes=("_pre", "_post"))
    sums = both.groupby("cohort")[["knowledge_pre", "knowledge_post"]].sum()
    # Table 1 means times cohort sizes: 2.00 x 14 = 28, 4.14 x 14 = 58, ...
    expected = {"TF1": (28, 58), "TF2": (28, 57), "TF3": (26, 50), "S1": (33, 59), "S2": (30, 53)}
    for cohort, totals in expected.items():
        assert tuple(sums.loc[cohort].tolist()) == totals, cohort


def test_reverse_keyed_rating_is_answered_consistently(raw: pd.DataFrame) -> None:
    core = get_builtin("imh-core@1.0.0")
    reverse = [i.id for i in core.items if isinstance(i, RatingItem) and i.reverse]
    forward = [i.id for i in core.items if isinstance(i, RatingItem) and not i.reverse]
    assert reverse
    ratings = raw[EFFICACY].replace("", np.nan).astype(float)
    forward_mean = ratings[forward].mean(axis=1)
    # Confident people disagree with the reverse-keyed statement.
    assert forward_mean.corr(ratings[reverse[0]]) < -0.3


def test_answers_include_a_few_blanks_and_two_invalid_answers(
    raw: pd.DataFrame, keys: dict[str, tuple[str, ...]]
) -> None:
    not_anna_freud = raw["cohort"] != "AF1"
    knowledge_blanks = int((raw.loc[not_anna_freud, KNOWLEDGE] == "").sum().sum())
    assert 1 <= knowledge_blanks <= 6
    assert 1 <= int((raw[RISK] == "").sum().sum()) <= 6
    assert 1 <= int((raw[EFFICACY] == "").sum().sum()) <= 6
    invalid = {
        item: sorted(set(raw[item]) - set(_options(item)) - {""}) for item in KNOWLEDGE + RISK
    }
    assert sorted(v for values in invalid.values() for v in values) == ["b,c", "x"]
    assert set(raw[EFFICACY].to_numpy().ravel()) <= {"", "1", "2", "3", "4", "5"}
    # Wrong answers use more than one distractor on every knowledge item.
    for item in KNOWLEDGE:
        answers = raw.loc[not_anna_freud, item]
        wrong = answers[(answers != "") & ~answers.isin(keys[item])]
        assert wrong.nunique() >= 2, item


def _options(item_id: str) -> list[str]:
    for item in get_builtin("imh-core@1.0.0").items:
        if item.id == item_id and isinstance(item, KeyedItem):
            return list(item.options)
    raise KeyError(item_id)


def test_some_profession_has_fewer_than_five_matched_people(pairs: pd.DataFrame) -> None:
    sizes = pairs.groupby("profession_pre").size()
    assert (sizes < 5).any()
    assert (sizes >= 5).any()
    assert len(sizes) >= 6


# --- Read, score and evaluate with imheval ------------------------------------------------------


def _instruments() -> list[Instrument]:
    return list(demo_instruments())


def test_packaged_csv_reads_and_scores_to_the_totals_computed_here(totals: pd.DataFrame) -> None:
    from imheval.io.reader import read_responses
    from imheval.scoring import score_items

    instruments = _instruments()
    items = [item.id for instrument in instruments for item in instrument.items]
    table = read_responses(demo_path(), item_columns=items)
    assert table.n_rows == len(totals)
    scored = score_items(table, instruments)
    frame = scored.frame
    assert frame["participant"].tolist() == totals["code"].tolist()
    np.testing.assert_array_equal(frame["knowledge"].to_numpy(), totals["knowledge"].to_numpy())
    np.testing.assert_array_equal(
        frame["risk_identification"].to_numpy(), totals["risk"].to_numpy()
    )
    np.testing.assert_array_equal(
        frame["advanced_knowledge"].to_numpy(), totals["advanced"].to_numpy()
    )
    assert frame.loc[frame["cohort"] == "AF1", "knowledge"].isna().all()


def test_evaluation_reproduces_the_seed_cohort_level_tests(pairs: pd.DataFrame) -> None:
    from imheval.evaluation import evaluate_file

    evaluation = evaluate_file(demo_path(), _instruments())

    knowledge = evaluation.domain("knowledge").test("cohort", "paired_t")
    assert knowledge is not None
    means_knowledge = _cohort_means(pairs, "knowledge")
    expected = stats.ttest_rel(means_knowledge["knowledge_post"], means_knowledge["knowledge_pre"])
    assert knowledge.result.df == 4
    assert knowledge.result.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert knowledge.result.p is not None and knowledge.result.p < 0.001

    efficacy = evaluation.domain("self_efficacy").test("cohort", "paired_t")
    assert efficacy is not None
    means = _cohort_means(pairs, "efficacy")
    expected = stats.ttest_rel(means["efficacy_post"], means["efficacy_pre"])
    assert efficacy.result.df == 5
    assert efficacy.result.statistic == pytest.approx(expected.statistic, rel=1e-9)
    assert efficacy.result.p is not None and efficacy.result.p < 0.01

    anova = next(
        entry
        for entry in evaluation.domain("knowledge").tests
        if (entry.unit, entry.comparison) == ("cohort", "gain_by_programme")
    )
    gains = means_knowledge["knowledge_post"] - means_knowledge["knowledge_pre"]
    expected_f = stats.f_oneway(gains[["TF1", "TF2", "TF3"]], gains[["S1", "S2"]])
    assert anova.result.df == (1, 3)
    assert anova.result.statistic == pytest.approx(expected_f.statistic, rel=1e-9)
    assert anova.result.p == pytest.approx(expected_f.pvalue, rel=1e-9)

    assert evaluation.domain("knowledge").n_pairs == 68 - 9
    assert evaluation.domain("advanced_knowledge").n_cohorts == 1


def test_tolerant_matching_offers_the_one_typo_as_a_probable_match() -> None:
    from imheval.evaluation import EvaluationOptions, evaluate_file

    evaluation = evaluate_file(
        demo_path(), _instruments(), EvaluationOptions(match_mode="tolerant")
    )
    probable = evaluation.matched.probable_matches
    assert len(probable) == 1
    assert probable[0].cohort == "TF2"
    assert probable[0].earlier_code[:-1] == probable[0].later_code[:-1]


def test_small_professions_are_suppressed_in_the_evaluation(pairs: pd.DataFrame) -> None:
    from imheval.evaluation import evaluate_file

    evaluation = evaluate_file(demo_path(), _instruments())
    rows = {
        row.label: row
        for breakdown in evaluation.domain("self_efficacy").breakdowns
        if breakdown.grouping == "profession"
        for row in breakdown.rows
    }
    sizes = pairs.groupby("profession_pre").size()
    for profession, n in sizes.items():
        assert rows[str(profession)].n == n
        assert rows[str(profession)].suppressed == (n < 5)
        assert (rows[str(profession)].pre_mean is None) == (n < 5)
