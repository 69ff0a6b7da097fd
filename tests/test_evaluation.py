"""End-to-end checks of the analysis plan: file in, Evaluation out.

Expected statistics are R's (R 4.2.2, effectsize 0.8.3), taken from the golden vectors in
tests/golden/second_opinion/golden_vectors.json (datasets ``table1_group_means`` and
``individual_prepost``); the calls are named beside each value.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from imheval.evaluation import EvaluationOptions, evaluate_file
from imheval.instruments.model import Instrument
from imheval.scoring import MissingPolicy

# Seed 000, Table 1: cohort mean knowledge (0-6) before and after training.
TABLE1 = {
    "TF1": ("Think Family", 2.00, 4.14),
    "TF2": ("Think Family", 2.15, 4.38),
    "TF3": ("Think Family", 2.89, 5.56),
    "S1": ("Solihull", 2.75, 4.92),
    "S2": ("Solihull", 2.73, 4.82),
}


def close(actual: float | None, expected: float, rtol: float = 1e-5) -> bool:
    return actual is not None and math.isclose(actual, expected, rel_tol=rtol, abs_tol=1e-9)


def write_table1_totals(path: Path) -> Path:
    """Two people per cohort, 0.25 either side of the published cohort mean."""
    lines = ["participant,cohort,programme,timepoint,directorate,knowledge"]
    for cohort, (programme, pre, post) in TABLE1.items():
        for person, offset in (("A", -0.25), ("B", 0.25)):
            code = f"{cohort}{person}"
            lines.append(f"{code},{cohort},{programme},pre,Adult Services,{pre + offset}")
            lines.append(f"{code},{cohort},{programme},post,Adult Services,{post + offset}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


INDIVIDUAL = {
    "cohort": ["A", "A", "A", "A", "A", "A", "B", "B", "B", "B", "B", "C", "C", "C", "C"],
    "pre": [2, 3, 1, 2, 4, 3, 2, 1, 3, 2, 5, 3, 2, 3, 1],
    "post": [4, 5, 3, 2, 5, 5, 1, 4, 3, 4, 6, 5, None, 6, 2],
}


def write_individual(path: Path) -> Path:
    lines = ["participant,cohort,programme,timepoint,knowledge"]
    for i, (cohort, pre, post) in enumerate(
        zip(INDIVIDUAL["cohort"], INDIVIDUAL["pre"], INDIVIDUAL["post"], strict=True), start=1
    ):
        lines.append(f"P{i:02d},{cohort},{cohort},pre,{pre}")
        lines.append(f"P{i:02d},{cohort},{cohort},post,{'' if post is None else post}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cohort_level_reproduces_seed_table1_statistics(tmp_path: Path) -> None:
    evaluation = evaluate_file(
        write_table1_totals(tmp_path / "t1.csv"),
        options=EvaluationOptions(ranges={"knowledge": (0, 6)}, min_group_size=1),
    )
    knowledge = evaluation.domain("knowledge")
    cohort_t = knowledge.test("cohort", "paired_t")
    assert cohort_t is not None
    # R: t.test(post, pre, paired = TRUE) on the five cohort means
    assert close(cohort_t.result.statistic, 21.5287)
    assert cohort_t.result.df == 4
    assert close(cohort_t.result.p, 2.75334e-05)
    assert cohort_t.result.estimate_ci is not None
    assert close(cohort_t.result.estimate_ci.low, 1.96854)
    r = cohort_t.result.effect("r")
    assert r is not None and close(r.value, 0.995713)
    assert cohort_t.result.apa() == "t(4) = 21.53, p < .001"
    # R: aov(gain ~ programme); effectsize::eta_squared
    anova = knowledge.test("cohort", "anova_gain", "gain_by_programme")
    assert anova is not None
    assert close(anova.result.statistic, 1.03007)
    assert anova.result.df == (1, 3)
    assert close(anova.result.p, 0.384877)
    eta = anova.result.effect("partial_eta_squared")
    assert eta is not None and close(eta.value, 0.255596)


def test_table1_rows_give_cohort_means_and_percentages(tmp_path: Path) -> None:
    evaluation = evaluate_file(
        write_table1_totals(tmp_path / "t1.csv"),
        options=EvaluationOptions(ranges={"knowledge": (0, 6)}, min_group_size=1),
    )
    rows = {row.label: row for row in evaluation.domain("knowledge").table1}
    assert list(rows) == ["TF1", "TF2", "TF3", "S1", "S2"]
    tf3 = rows["TF3"]
    assert tf3.n == 2 and tf3.programme == "Think Family"
    assert close(tf3.pre_mean, 2.89) and close(tf3.post_mean, 5.56)
    assert close(tf3.difference, 2.67)
    assert close(tf3.post_percent, 5.56 / 6 * 100)  # the seed printed 93%
    assert close(tf3.difference_percent, 2.67 / 6 * 100)


def test_participant_level_matches_r_with_listwise_deletion(tmp_path: Path) -> None:
    evaluation = evaluate_file(
        write_individual(tmp_path / "ind.csv"), options=EvaluationOptions(min_group_size=1)
    )
    knowledge = evaluation.domain("knowledge")
    assert knowledge.n_pairs == 14  # participant 13 has no post score
    t = knowledge.test("participant", "paired_t")
    assert t is not None
    # R: t.test(post, pre, paired = TRUE); effectsize::cohens_d / hedges_g (paired = TRUE)
    assert close(t.result.statistic, 4.61644)
    assert t.result.df == 13
    assert close(t.result.p, 0.000483054)
    dz = t.result.effect("cohen_dz")
    assert dz is not None and dz.ci is not None
    assert close(dz.value, 1.23379)
    assert close(dz.ci.low, 0.5175) and close(dz.ci.high, 1.92401)
    gz = t.result.effect("hedges_gz")
    assert gz is not None and close(gz.value, 1.16098)
    d_av = t.result.effect("d_av")
    assert d_av is not None and close(d_av.value, 1.04674)
    # R: wilcox.test(post, pre, paired = TRUE) (normal approximation: ties and zeros)
    w = knowledge.test("participant", "wilcoxon")
    assert w is not None
    assert close(w.result.statistic, 75.5)
    assert close(w.result.p, 0.00403512)
    rb = w.result.effect("rank_biserial")
    assert rb is not None and close(rb.value, 0.935897)
    # R: shapiro.test(post - pre)
    sw = knowledge.test("participant", "shapiro_wilk")
    assert sw is not None and close(sw.result.statistic, 0.901854)
    # R: oneway.test(gain ~ cohort, var.equal = FALSE); programme = cohort in this file
    welch = knowledge.test("participant", "welch_anova", "gain_by_programme")
    assert welch is not None
    assert close(welch.result.statistic, 0.54588)
    assert isinstance(welch.result.df, tuple) and close(welch.result.df[1], 5.20557)
    assert close(welch.result.p, 0.609229)


def test_one_cohort_says_why_the_cohort_test_was_not_run(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text(
        "participant,cohort,timepoint,knowledge\n"
        "A1,C1,pre,2\nA1,C1,post,4\nA2,C1,pre,3\nA2,C1,post,4\nA3,C1,pre,1\nA3,C1,post,4\n",
        encoding="utf-8",
    )
    knowledge = evaluate_file(path).domain("knowledge")
    cohort_t = knowledge.test("cohort", "paired_t")
    assert cohort_t is not None and not cohort_t.result.computed
    assert cohort_t.result.reason is not None and "one cohort" in cohort_t.result.reason
    assert cohort_t.result.statistic is None
    # the participant-level test still runs on the three pairs: changes 2, 1, 3
    t = knowledge.test("participant", "paired_t")
    assert t is not None and close(t.result.estimate, 2.0)


def test_small_groups_are_suppressed_in_every_table(tmp_path: Path) -> None:
    evaluation = evaluate_file(
        write_table1_totals(tmp_path / "t1.csv"),
        options=EvaluationOptions(ranges={"knowledge": (0, 6)}, min_group_size=3),
    )
    knowledge = evaluation.domain("knowledge")
    assert all(row.suppressed and row.pre_mean is None for row in knowledge.table1)
    by_programme = next(b for b in knowledge.breakdowns if b.grouping == "programme")
    rows = {row.label: row for row in by_programme.rows}
    assert not rows["Think Family"].suppressed and rows["Think Family"].n == 6
    assert not rows["Solihull"].suppressed and rows["Solihull"].n == 4
    # the statistics still use every cohort: only displayed cells are suppressed
    cohort_t = knowledge.test("cohort", "paired_t")
    assert cohort_t is not None and close(cohort_t.result.statistic, 21.5287)
    document = evaluation.to_dict()
    table1 = document["domains"][0]["table1"]
    assert all(row["suppressed"] and row["pre_mean"] is None for row in table1)


def test_holm_adjusts_across_domains_within_a_family(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    rows = ["participant,cohort,timepoint,knowledge,confidence"]
    pre_k, post_k = [2, 3, 1, 2, 4, 3], [4, 5, 3, 2, 5, 5]
    pre_c, post_c = [10, 12, 11, 9, 13, 12], [11, 12, 13, 9, 12, 14]
    for i in range(6):
        rows.append(f"P{i},C1,pre,{pre_k[i]},{pre_c[i]}")
        rows.append(f"P{i},C1,post,{post_k[i]},{post_c[i]}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = evaluate_file(path)
    p = {
        d.domain.id: d.test("participant", "paired_t").result.p  # type: ignore[union-attr]
        for d in evaluation.domains
    }
    holm = {
        d.domain.id: d.test("participant", "paired_t").p_holm  # type: ignore[union-attr]
        for d in evaluation.domains
    }
    low, high = sorted(p, key=lambda k: p[k])
    assert close(holm[low], min(1.0, 2 * p[low]))
    assert close(holm[high], min(1.0, max(2 * p[low], p[high])))


def test_json_is_strict_and_every_test_has_the_documented_fields(tmp_path: Path) -> None:
    evaluation = evaluate_file(
        write_individual(tmp_path / "ind.csv"), options=EvaluationOptions(min_group_size=1)
    )
    text = json.dumps(evaluation.to_dict(), allow_nan=False)
    document = json.loads(text)
    assert document["schema"] == "imheval.evaluation/1"
    assert document["settings"]["missing_data_policy"] == "not_applicable"  # totals, not items
    assert document["tests"]
    for entry in document["tests"]:
        assert {"domain", "unit", "test", "statistic", "df", "p", "n", "effect_sizes"} <= set(entry)
        assert entry["unit"] in ("cohort", "participant")
        assert entry["computed"] == (entry["reason"] is None)
    welch = next(t for t in document["tests"] if t["test"] == "welch_anova")
    assert isinstance(welch["df"], list) and len(welch["df"]) == 2
    # one cohort per programme leaves no within-programme variation at cohort level
    anova = next(t for t in document["tests"] if t["test"] == "anova_gain")
    assert anova["computed"] is False and anova["df"] is None and anova["reason"]


def test_item_level_data_is_scored_with_the_policy_recorded(tmp_path: Path) -> None:
    instrument = Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": "tiny",
            "version": "1",
            "title": "Tiny",
            "levels": ["beginner"],
            "domains": [{"id": "knowledge", "label": "Knowledge"}],
            "items": [
                {
                    "id": "K1",
                    "domain": "knowledge",
                    "text": "Q1",
                    "options": {"a": "x", "b": "y"},
                    "key": "a",
                },
                {
                    "id": "K2",
                    "domain": "knowledge",
                    "text": "Q2",
                    "options": {"a": "x", "b": "y"},
                    "key": "b",
                },
            ],
        }
    )
    path = tmp_path / "items.csv"
    path.write_text(
        "participant,cohort,timepoint,K1,K2\n"
        "P1,C1,pre,b,\nP1,C1,post,a,b\n"
        "P2,C1,pre,a,zz\nP2,C1,post,a,b\n",
        encoding="utf-8",
    )
    seed = evaluate_file(path, [instrument], EvaluationOptions(min_group_size=1))
    overall = seed.domain("knowledge").overall
    # P1 pre: wrong + missing = 0; P2 pre: correct + invalid = 1; both post = 2
    assert close(overall.pre_mean, 0.5) and close(overall.post_mean, 2.0)
    assert seed.to_dict()["instruments"] == [{"id": "tiny", "version": "1"}]
    complete = evaluate_file(
        path,
        [instrument],
        EvaluationOptions(missing_policy=MissingPolicy.COMPLETE_CASE, min_group_size=1),
    )
    # under complete cases neither pre total exists, so there are no pairs at all
    assert complete.domain("knowledge").n_pairs == 0
    assert complete.to_dict()["settings"]["missing_data_policy"] == "complete_case"
    # both evaluations put the two rules side by side, whichever policy they used
    for evaluation in (seed, complete):
        rows = {row.policy.value: row for row in evaluation.policy_comparison}
        assert rows["seed"].n_pairs == 2
        assert close(rows["seed"].pre_mean, 0.5) and close(rows["seed"].post_mean, 2.0)
        assert rows["complete_case"].n_pairs == 0
        assert not rows["complete_case"].result.computed


@pytest.mark.parametrize("bad_min", [0, -3])
def test_minimum_group_size_must_be_positive(bad_min: int) -> None:
    from imheval.errors import AnalysisError

    with pytest.raises(AnalysisError, match="at least 1"):
        EvaluationOptions(min_group_size=bad_min)


def test_progress_reports_every_stage_in_order(tmp_path: Path) -> None:
    seen: list[str] = []
    evaluate_file(
        write_individual(tmp_path / "ind.csv"),
        progress=lambda stage, done, total: seen.append(stage),
    )
    assert seen[0].startswith("Reading ind.csv")
    assert seen.index("Scoring") < seen.index("Matching codes") < seen.index("Analysing Knowledge")


def test_a_lone_small_group_takes_the_next_smallest_with_it(tmp_path: Path) -> None:
    """Otherwise the hidden group's mean could be worked out from the overall mean."""
    path = tmp_path / "groups.csv"
    rows = ["participant,cohort,timepoint,profession,knowledge"]
    sizes = {"Nurse": 8, "Social worker": 6, "GP": 2}
    person = 0
    for profession, size in sizes.items():
        for _ in range(size):
            person += 1
            rows.append(f"P{person},C1,pre,{profession},{person % 4}")
            rows.append(f"P{person},C1,post,{profession},{person % 4 + 2}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = evaluate_file(path)
    by_profession = next(
        b for b in evaluation.domain("knowledge").breakdowns if b.grouping == "profession"
    )
    hidden = {row.label: row.suppressed for row in by_profession.rows}
    assert hidden == {"GP": True, "Nurse": False, "Social worker": True}


def test_matching_bias_hides_a_small_category_and_its_complement(tmp_path: Path) -> None:
    path = tmp_path / "bias.csv"
    rows = ["participant,cohort,timepoint,directorate,knowledge"]
    groups = {"Adult Services": (10, 6), "Children's Services": (10, 2)}
    for directorate, (matched, unmatched) in groups.items():
        for i in range(matched + unmatched):
            code = f"{directorate[0]}{i}"
            rows.append(f"{code},C1,pre,{directorate},{i % 5}")
            if i < matched:
                rows.append(f"{code},C1,post,{directorate},{i % 5 + 1}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    bias = evaluate_file(path).to_dict()["matching_bias"]
    assert (bias["n_matched"], bias["n_unmatched"]) == (20, 8)
    directorates = {c["category"]: c for c in bias["categories"] if c["variable"] == "directorate"}
    # Children's Services has 2 unmatched people: hidden; Adult Services would then give it away
    # by subtraction from the totals, so it is hidden too.
    assert directorates["Children's Services"]["suppressed"] is True
    assert directorates["Children's Services"]["n_unmatched"] is None
    assert directorates["Adult Services"]["suppressed"] is True
    assert directorates["Adult Services"]["n_matched"] is None


def test_group_tests_carry_no_per_group_means(tmp_path: Path) -> None:
    """Group means live in the breakdown tables, where small groups are suppressed."""
    evaluation = evaluate_file(write_individual(tmp_path / "ind.csv"))
    for entry in evaluation.to_dict()["tests"]:
        assert not [key for key in entry["details"] if "[" in key], entry["comparison"]


def write_directorates(path: Path) -> Path:
    """Adult Services start lower than Children's Services and close the gap (seed 000)."""
    rows = ["participant,cohort,programme,timepoint,directorate,risk"]
    adult = [(4, 7), (5, 7), (4, 6), (5, 8), (3, 6), (4, 7), (5, 6), (4, 7)]
    children = [(7, 8), (8, 8), (7, 7), (8, 8), (7, 8), (8, 7), (7, 8), (8, 8)]
    for cohort, scores, directorate in (
        ("A1", adult, "Adult Services"),
        ("C1", children, "Children's Services"),
    ):
        for i, (pre, post) in enumerate(scores):
            rows.append(f"{cohort}-{i},{cohort},P,pre,{directorate},{pre}")
            rows.append(f"{cohort}-{i},{cohort},P,post,{directorate},{post}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_findings_name_who_started_lower_and_that_the_gap_narrowed(tmp_path: Path) -> None:
    evaluation = evaluate_file(
        write_directorates(tmp_path / "d.csv"), options=EvaluationOptions(ranges={"risk": (0, 8)})
    )
    text = " ".join(f.text for f in evaluation.domain("risk").findings)
    # Adult pre mean 34/8 = 4.25 (53%), Children's 60/8 = 7.50 (94%)
    assert "Adult Services started lower (4.25 (53%)) than Children's Services (7.50 (94%))" in (
        text
    )
    assert "the gap narrowed" in text
    assert "Adult Services gained most (+2.50 points)" in text


def test_findings_quote_the_p_they_judge_on() -> None:
    """A verdict made on the Holm-adjusted p must show that p, not only the raw one."""
    from imheval.demo import demo_instruments, demo_path
    from imheval.stats import format_p

    evaluation = evaluate_file(demo_path(), list(demo_instruments()))
    checked = 0
    for domain in evaluation.domains:
        for entry in domain.tests:
            if entry.p_holm is None or entry.result.p is None:
                continue
            if format_p(entry.p_holm) == format_p(entry.result.p):
                continue  # e.g. both "p < .001": nothing a reader could see changed
            for line in (f.text for f in domain.findings):
                if entry.result.apa() in line:
                    checked += 1
                    assert "Holm-adjusted" in line, line
    assert checked > 0  # the demo has adjusted results quoted in its findings


def test_follow_up_is_compared_with_pre_and_post(tmp_path: Path) -> None:
    from scipy import stats

    pre = [2, 3, 1, 2, 4, 3, 2, 1]
    post = [5, 5, 4, 4, 6, 5, 4, 4]
    follow = [4, 5, 3, 4, 5, 4, 3, 4]
    rows = ["participant,cohort,timepoint,knowledge"]
    for i in range(8):
        rows += [
            f"P{i},C1,pre,{pre[i]}",
            f"P{i},C1,post,{post[i]}",
            f"P{i},C1,followup,{follow[i]}",
        ]
    path = tmp_path / "fu.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    knowledge = evaluate_file(path).domain("knowledge")
    for comparison, first, second in (
        ("pre_followup", pre, follow),
        ("post_followup", post, follow),
    ):
        entry = knowledge.test("participant", "paired_t", comparison)
        assert entry is not None, comparison
        reference = stats.ttest_rel(second, first)
        assert close(entry.result.statistic, float(reference.statistic), rtol=1e-10)
        assert close(entry.result.p, float(reference.pvalue), rtol=1e-10)
        assert knowledge.test("participant", "wilcoxon", comparison) is not None
    text = " ".join(f.text for f in knowledge.findings)
    assert "scores at follow-up were lower than straight after training" in text
    assert "scores at follow-up were higher than before training" in text


def test_reaction_is_described_after_training_and_unused_domains_are_named(
    tmp_path: Path,
) -> None:
    from imheval.instruments import get_builtin
    from imheval.reports import build_report

    ratings = [[5, 4, 4, 5, 5], [4, 4, 3, 4, 4], [5, 5, 5, 5, 4], [3, 4, 4, 3, 4], [4, 5, 4, 4, 5]]
    rows = ["participant,cohort,timepoint,K1,K2,K3,K4,K5,K6,RE1,RE2,RE3,RE4,RE5"]
    for i, rating in enumerate(ratings):
        rows.append(f"P{i},C1,pre,a,b,c,d,a,b,,,,,")
        rows.append(f"P{i},C1,post,b,c,a,d,c,c,{','.join(map(str, rating))}")
    path = tmp_path / "reaction.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = evaluate_file(
        path, [get_builtin("imh-core@1.0.0"), get_builtin("imh-reaction@1.0.0")]
    )
    mean = sum(map(sum, ratings)) / len(ratings)  # 21.4 of 5..25
    reaction = evaluation.domain("reaction")
    assert tuple(f.text for f in reaction.findings) == (
        f"Reaction to the training (asked once, at the end of training): 5 people rated it "
        f"{mean:.2f} ({(mean - 5) / 20 * 100:.0f}%) on average on a scale of 5 to 25. This is "
        "how the training was received, not evidence of learning.",
    )
    assert "Not measured in this file: Risk identification, Self-efficacy." in evaluation.notes
    assert [d.domain.id for d in evaluation.domains] == ["knowledge", "reaction"]
    level1 = next(s for s in build_report(evaluation).sections if s.id == "level-1")
    assert "Not measured" not in repr(level1)
    assert "Reaction to the training" in repr(level1)


def test_forms_not_in_the_file_leave_no_rows_behind(tmp_path: Path) -> None:
    from imheval.instruments import get_builtin

    rows = ["participant,cohort,timepoint,K1,K2,K3,K4,K5,K6"]
    for i in range(6):
        rows += [f"P{i},C1,pre,a,b,c,d,a,b", f"P{i},C1,post,b,c,a,d,c,c"]
    path = tmp_path / "k.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = evaluate_file(
        path, [get_builtin("imh-core@1.0.0"), get_builtin("imh-advanced-knowledge@1.0.0")]
    )
    document = evaluation.to_dict()
    assert [d["id"] for d in document["domains"]] == ["knowledge"]
    assert {row["domain"] for row in document["policy_comparison"]} == {"knowledge"}
    assert {d["domain"] for d in document["matching_bias"]["domains"]} == {"knowledge"}
    assert {t["domain"] for t in document["tests"]} == {"knowledge"}


def _profession_gains_file(path: Path, sizes: dict[str, int]) -> dict[str, list[float]]:
    rows = ["participant,cohort,timepoint,profession,knowledge"]
    gains: dict[str, list[float]] = {profession: [] for profession in sizes}
    person = 0
    for profession, size in sizes.items():
        for _ in range(size):
            person += 1
            pre, post = person % 4, person % 4 + 1 + person % 3
            gains[profession].append(post - pre)
            rows += [
                f"P{person},C1,pre,{profession},{pre}",
                f"P{person},C1,post,{profession},{post}",
            ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return gains


def test_group_tests_leave_out_groups_too_small_to_show(tmp_path: Path) -> None:
    path = tmp_path / "groups.csv"
    sizes = {"Nurse": 8, "Social worker": 6, "Health visitor": 5, "GP": 2, "OT": 3}
    gains = _profession_gains_file(path, sizes)
    knowledge = evaluate_file(path).domain("knowledge")
    entry = knowledge.test("participant", "welch_anova", "gain_by_profession")
    assert entry is not None and entry.result.computed
    # Welch's F (Welch 1951) of the three groups shown, worked out by hand.
    groups = [np.array(gains[p]) for p in ("Health visitor", "Nurse", "Social worker")]
    weights = np.array([len(g) / g.var(ddof=1) for g in groups])
    means = np.array([g.mean() for g in groups])
    centre = float((weights * means).sum() / weights.sum())
    k = len(groups)
    spread = float((weights * (means - centre) ** 2).sum()) / (k - 1)
    share = sum(
        (1 - w / weights.sum()) ** 2 / (len(g) - 1) for w, g in zip(weights, groups, strict=True)
    )
    welch_f = spread / (1 + 2 * (k - 2) / (k**2 - 1) * float(share))
    assert close(entry.result.statistic, welch_f, rtol=1e-10)
    assert entry.result.n == 19
    assert "left out, fewer than 5 people: 2 profession group(s)" in entry.result.method


def test_group_tests_leave_out_a_group_hidden_to_protect_a_small_one(tmp_path: Path) -> None:
    # GP (2) alone would be the overall minus Nurse and Social worker, so Social worker (6) is
    # hidden too; a Welch test of Nurse against Social worker would give the Social workers'
    # mean back (its estimate is the difference), and with it the GPs'. So no test is run.
    path = tmp_path / "groups.csv"
    _profession_gains_file(path, {"Nurse": 8, "Social worker": 6, "GP": 2})
    knowledge = evaluate_file(path).domain("knowledge")
    rows = {row.label: row.suppressed for row in knowledge.breakdowns[2].rows}
    assert rows == {"GP": True, "Nurse": False, "Social worker": True}
    entry = knowledge.test("participant", "welch_t", "gain_by_profession")
    assert entry is not None and not entry.result.computed
    assert entry.result.n == 8
    assert (
        "left out, fewer than 5 people or hidden to protect such a group: 2 profession group(s)"
        in (entry.result.reason or "")
    )
