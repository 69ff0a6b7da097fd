"""The follow-up wave: imh-practice-followup answered only at follow-up is described, not
tested; levels measured and not measured; who answered at follow-up (matching bias)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from imheval.demo import demo_instruments, demo_path
from imheval.evaluation import evaluate_file
from imheval.evaluation.plan import Evaluation
from imheval.instruments import get_builtin

PRACTICE = [f"PF{i}" for i in range(1, 8)]
ENABLERS = [f"EN{i}" for i in range(1, 5)]


def followup_study(path: Path, share: float = 0.6, seed: int = 18) -> Path:
    """The demo study with a follow-up wave: ``share`` of the matched people answer the
    practice questionnaire (and the learning questions again, as they answered them at post)
    3 months later."""
    rng = np.random.default_rng(seed)
    demo = pd.read_csv(demo_path(), dtype=str, keep_default_na=False)
    for column in (*PRACTICE, *ENABLERS, "PF_CHANGE"):
        demo[column] = ""
    pre = set(
        zip(
            demo.loc[demo["timepoint"] == "pre", "cohort"],
            demo.loc[demo["timepoint"] == "pre", "participant"],
            strict=True,
        )
    )
    rows = []
    for row in demo[demo["timepoint"] == "post"].to_dict(orient="records"):
        if (row["cohort"], row["participant"]) not in pre or rng.random() >= share:
            continue
        row["timepoint"] = "followup"
        for item in PRACTICE:
            row[item] = str(int(rng.integers(0, 5)))
        for item in ENABLERS:
            row[item] = str(int(rng.integers(1, 6)))
        row["PF_CHANGE"] = "I now ask parents how the baby is getting on with them."
        rows.append(row)
    table = pd.concat([demo, pd.DataFrame(rows, columns=demo.columns)], ignore_index=True)
    table.to_csv(path, index=False)
    return path


def run(path: Path) -> Evaluation:
    return evaluate_file(path, [*demo_instruments(), get_builtin("imh-practice-followup")])


@pytest.fixture(scope="module")
def followed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Evaluation, pd.DataFrame]:
    path = followup_study(tmp_path_factory.mktemp("fu") / "study.csv")
    return run(path), pd.read_csv(path, dtype=str, keep_default_na=False)


def test_practice_asked_only_at_followup_is_described_with_its_items(followed) -> None:  # type: ignore[no-untyped-def]
    evaluation, raw = followed
    single = evaluation.single("practice")
    assert single is not None and single.computed
    at_followup = raw[raw["timepoint"] == "followup"]
    totals = at_followup[PRACTICE].astype(int).sum(axis=1)
    assert single.timepoint == "followup"
    assert single.n == len(at_followup)
    assert single.mean == pytest.approx(totals.mean(), rel=1e-12)
    assert single.sd == pytest.approx(totals.std(ddof=1), rel=1e-12)
    assert single.median == pytest.approx(totals.median())
    assert (single.min_total, single.max_total) == (0, 28)
    first = single.items[0]
    answers = at_followup["PF1"].astype(int)
    assert first.item == "PF1" and first.n == len(answers)
    if any(count is None for _, _, count in first.answers):
        # a hidden answer count could be solved from the mean and n: the mean is hidden too
        assert first.mean is None
    else:
        assert first.mean == pytest.approx(answers.mean(), rel=1e-12)
    assert first.at_least == 1 and first.at_least_label == "Once or more"
    shown = {value: count for value, _, count in first.answers if count is not None}
    for value, count in shown.items():
        assert count == int((answers == value).sum())
    assert [i.item for i in single.items] == PRACTICE
    enablers = evaluation.single("enablers")
    assert enablers is not None and enablers.items[0].at_least == 4


def test_a_domain_asked_once_is_described_not_tested(followed) -> None:  # type: ignore[no-untyped-def]
    evaluation, _ = followed
    practice = evaluation.domain("practice")
    assert practice.headline is not None
    assert practice.headline.kind == "single_timepoint"
    assert "(asked once, at follow-up)" in practice.headline.text
    assert "cannot show change" in practice.headline.text
    assert not any(f.kind in ("followup", "participant_test") for f in practice.findings)
    # learning domains still have their before/after findings
    assert evaluation.single("knowledge") is None


def test_levels_measured_and_not_measured_are_stated(followed) -> None:  # type: ignore[no-untyped-def]
    evaluation, _ = followed
    levels = evaluation.levels
    assert levels is not None
    assert levels.status("3a").status == "measured"
    assert levels.status("3a").domains == ("practice", "enablers")
    assert levels.status("3b").status == "not_measured"
    assert levels.status("2b").status == "not_tagged"
    assert [e.level for e in levels.not_measured] == ["1", "3b", "4"]
    assert levels.statement.startswith(
        "Measured: level 2 learning and 3a self-reported behaviour. Not measured: level 1 "
        "reaction, 3b observed behaviour and level 4 results (4a organisational practice, 4b "
        "benefit to babies and families)."
    )
    document = json.loads(json.dumps(evaluation.to_dict(), allow_nan=False))
    assert document["levels"]["not_measured"] == ["1", "3b", "4"]
    assert document["levels"]["statement"] == levels.statement
    assert evaluation.barr_level("practice") == "3a" and evaluation.barr_level("knowledge") is None


def test_followup_bias_compares_gains_of_those_who_answered_and_those_who_did_not(followed) -> None:  # type: ignore[no-untyped-def]
    evaluation, _ = followed
    bias = evaluation.followup_bias
    assert bias is not None and bias.computed
    people = evaluation.matched.people
    matched = people["present_pre"] & people["present_post"]
    answered = matched & people["present_followup"]
    assert bias.n_matched == int(matched.sum())
    assert bias.n_followed == int(answered.sum())
    knowledge = next(d for d in bias.domains if d.domain == "knowledge")
    gain = people["knowledge@post"] - people["knowledge@pre"]
    both = matched & people["knowledge@pre"].notna() & people["knowledge@post"].notna()
    yes, no = gain[both & people["present_followup"]], gain[both & ~people["present_followup"]]
    assert knowledge.n_followed == len(yes) and knowledge.n_not_followed == len(no)
    assert knowledge.mean_gain_followed == pytest.approx(yes.mean(), rel=1e-12)
    assert knowledge.mean_gain_not_followed == pytest.approx(no.mean(), rel=1e-12)
    assert knowledge.mean_pre_followed == pytest.approx(
        people.loc[both & people["present_followup"], "knowledge@pre"].mean(), rel=1e-12
    )
    reference = stats.ttest_ind(yes, no, equal_var=False)
    assert knowledge.gain_test.statistic == pytest.approx(reference.statistic, rel=1e-10)
    assert knowledge.gain_test.p == pytest.approx(reference.pvalue, rel=1e-10)
    assert not any(d.domain == "practice" for d in bias.domains)
    words = [f for f in evaluation.followup_bias_findings if f.domain == "knowledge"]
    assert len(words) == 1
    assert words[0].plain.startswith(
        f"Knowledge: the {len(yes)} people who answered at follow-up had gained "
    )
    document = json.loads(json.dumps(evaluation.to_dict(), allow_nan=False))
    assert document["followup_bias"]["n_followed"] == len(yes) or knowledge.domain
    assert document["followup_bias"]["findings"][0]["kind"] == "followup_bias"


def test_few_people_at_followup_are_not_shown(tmp_path: Path) -> None:
    evaluation = run(followup_study(tmp_path / "few.csv", share=0.05, seed=3))
    bias = evaluation.followup_bias
    assert bias is not None
    assert bias.n_followed is None and bias.n_not_followed is None
    assert all(d.mean_gain_followed is None for d in bias.domains)
    assert all(not d.gain_test.computed for d in bias.domains)
    practice = evaluation.single("practice")
    assert practice is not None and not practice.computed
    assert practice.mean is None and practice.items == ()
    assert "fewer than 5 people answered" in (practice.reason or "")
    text = " ".join(f.text for f in evaluation.followup_bias_findings)
    assert "Too few people answered at follow-up" in text


def test_without_a_followup_wave_there_is_no_followup_bias_finding() -> None:
    evaluation = evaluate_file(demo_path(), demo_instruments())
    assert evaluation.followup_bias is not None and not evaluation.followup_bias.computed
    assert evaluation.followup_bias_findings == ()
    assert evaluation.single_timepoint == ()
    assert evaluation.to_dict()["followup_bias"]["reason"].startswith("no one answered")


def test_learning_answered_only_before_training_waits_for_its_post_test(tmp_path: Path) -> None:
    demo = pd.read_csv(demo_path(), dtype=str, keep_default_na=False)
    path = tmp_path / "pre_only.csv"
    demo[demo["timepoint"] == "pre"].to_csv(path, index=False)
    evaluation = evaluate_file(path, demo_instruments())
    assert evaluation.single_timepoint == ()
    headline = evaluation.domain("knowledge").headline
    assert headline is None or headline.kind != "single_timepoint"


def test_instruments_show_gives_the_barr_level_beside_the_kirkpatrick_level() -> None:
    from typer.testing import CliRunner

    from imheval.cli import app

    result = CliRunner().invoke(app, ["instruments", "show", "imh-practice-followup"])
    assert result.exit_code == 0, result.output
    assert "3 (Barr 3a)" in result.output


def test_a_blank_practice_answer_is_not_counted_as_not_at_all(tmp_path: Path) -> None:
    rows = ["participant,cohort,timepoint," + ",".join(PRACTICE)]
    for i in range(8):
        answers = ["" if (i < 2 and item == "PF1") else "2" for item in PRACTICE]
        rows.append(f"P{i},C1,followup," + ",".join(answers))
    path = tmp_path / "blank.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    evaluation = evaluate_file(path, [get_builtin("imh-practice-followup")])
    single = evaluation.single("practice")
    assert single is not None and single.n == 8
    first = single.items[0]
    assert first.n == 6 and first.mean == 2.0
    assert dict((value, count) for value, _, count in first.answers)[2] == 6


def test_the_zero_rule_comparison_leaves_out_domains_asked_once(followed) -> None:  # type: ignore[no-untyped-def]
    """ "Does the zero rule matter?" compares change under two rules: a domain asked once has
    no change, so it is not listed (it was, with 0 pairs)."""
    evaluation, _ = followed
    domains = {row.domain for row in evaluation.policy_comparison}
    assert domains and not domains & {"practice", "enablers"}
    assert {s.domain for s in evaluation.single_timepoint} >= {"practice", "enablers"}
