"""Plain-English findings on one domain of a pre/post evaluation, each with its figures.

The sentences judge significance on the Holm-adjusted p (across domains) and always print the
p they judged on, so a sentence never contradicts its own figures. Group comparisons name the
direction (who started lower, who gained more) from the suppression-aware breakdown rows, so a
hidden small group is never described.

Every function returns :class:`~imheval.findings.Finding` values; their ``kind`` (the kinds from
``reliability`` to ``reaction`` are written by :mod:`imheval.evaluation.findings_deeper`):

==================== =========================================================================
``not_assessed``     no one was measured before and after
``too_few``          fewer than the minimum group size were
``change``           the matched people's mean scores before and after (``matched`` when the
                     means are unknown)
``cohort_test``      the cohort-level paired t-test on cohort means (``comparison`` pre_post)
``participant_test`` the paired t-test on people
``programme_gains``  the ANOVA of cohort gains across programmes
``baseline_gap``     starting scores differed by a grouping (``comparison`` baseline_by_...)
``gain_gap``         gains differed by a grouping (``comparison`` gain_by_...)
``groups_quiet``     neither differed for the groupings named
``followup``         a follow-up comparison (``comparison`` pre_followup or post_followup);
                     ``followup_too_few`` and ``followup_not_run`` when it cannot be reported
``matching_bias``    the matched people started differently from the unmatched
``forms_equated``    people answered different parallel forms, one was harder and scores were
                     equated (``comparison`` form_difference; ``forms_similar``,
                     ``forms_uncertain``, ``forms_not_estimated`` and
                     ``forms_not_counterbalanced`` otherwise;
                     written by :mod:`imheval.evaluation.forms`)
``reliability``      internal consistency at pre-test
``ceiling``          too many people at the maximum (figure ``when``: before or after)
``easy_items``       items nearly everyone answered correctly before training
``reliable_change``  Jacobson-Truax counts
``retention``        the share of the gain kept at follow-up
``mixed_model``      the mixed model's estimate of the change
``reaction``         a level 1 rating asked once (``reaction_none``, ``reaction_too_few``)
``floor``            too many people at the minimum (figure ``when``: before or after)
``hard_items``       right/wrong items fewer than 10% answered correctly after training
``normalised_gain``  Hake's g per person and per cohort (:mod:`imheval.evaluation.gains`)
``ancova``           post on pre by a grouping, beside the Welch test of gains (``comparison``
                     ancova_by_<grouping>; :mod:`imheval.evaluation.gains`)
``cohort_icc``       the ICC of cohorts' gains and the design effect
                     (:mod:`imheval.evaluation.programmes`)
``programme_difference`` whether the gain differed between programmes, allowing for cohorts
                     (the programme-by-time mixed model; :mod:`imheval.evaluation.programmes`)
``retrospective_change`` then against now on the post-test form; ``response_shift`` then
                     against the real pre-test (:mod:`imheval.evaluation.retrospective`)
``single_timepoint`` a domain asked at one timepoint only, described not tested
                     (``single_timepoint_items``, ``single_timepoint_too_few``,
                     ``single_timepoint_none``; :mod:`imheval.evaluation.single_time`)
``followup_bias``    who answered at follow-up against who did not (``followup_bias_none``,
                     ``followup_bias_too_few``; :mod:`imheval.evaluation.followup_bias`)
``headline``         one sentence for a board (:func:`headline_finding`; not in
                     ``DomainEvaluation.findings`` but in ``DomainEvaluation.headline``)
==================== =========================================================================
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from imheval.evaluation.results import Breakdown, DomainEvaluation, MeanRow, TestEntry
from imheval.findings.model import FigureValue, Finding, Stats, finding
from imheval.findings.wording import (
    bounded,
    join_or,
    people,
    score,
    signed,
    size_word,
    were,
)
from imheval.scoring import DomainInfo
from imheval.stats import TestResult, format_p

#: Significance level for the wording ("statistically significant").
ALPHA = 0.05

WHICH_TO_TRUST = (
    "Two kinds of test are reported for each domain. Cohort-level tests (the method of the "
    "published evaluation this tool follows, of infant mental health training in a Northern "
    "Ireland Health and Social Care Trust) treat each cohort's mean as one measurement: they "
    "respect the fact that people trained together are not independent, but with few cohorts "
    "they have little power, and their effect sizes describe differences between cohort "
    "means, so they are much larger than participant-level ones and must not be compared with"
    " published values. Participant-level tests use every matched person and give effect "
    "sizes (Cohen's d_z) that can be compared with other pre/post studies, but they treat "
    "people as independent, which overstates certainty when cohorts differ. When both point "
    "the same way, the conclusion does not hang on the choice of unit; when only the "
    "participant-level test is significant, report it with that caveat. The mixed model, "
    "where it could be fitted, allows for both people and cohorts at once."
)

#: How the follow-up comparisons are worded: (first timepoint, second timepoint).
FOLLOWUP_WORDING = {
    "pre_followup": ("before training", "at follow-up"),
    "post_followup": ("straight after training", "at follow-up"),
}
#: The kinds of finding about a follow-up comparison.
FOLLOWUP_KINDS = ("followup", "followup_too_few", "followup_not_run")


def findings_for(domain: DomainEvaluation, min_group_size: int) -> list[Finding]:
    """Findings on one domain's change (never an empty list: at least one finding)."""
    name = domain.domain.label
    key = domain.domain.id
    if domain.n_pairs == 0:
        return [
            finding(
                "not_assessed",
                key,
                f"{name}: no one was measured both before and after training, so change could "
                "not be assessed.",
                people=0,
            )
        ]
    if domain.n_pairs < min_group_size:
        return [
            finding(
                "too_few",
                key,
                f"{name}: fewer than {min_group_size} people were measured both before and after "
                "training, too few to report without risking identifying them.",
                figures={"min_group_size": min_group_size},
            )
        ]
    found: list[Finding] = [_change(domain)]
    cohort_t = domain.test("cohort", "paired_t")
    if cohort_t is not None:
        found.append(_cohort_finding(key, cohort_t, domain.n_cohorts))
    participant_t = domain.test("participant", "paired_t")
    if participant_t is not None:
        found.append(_participant_finding(key, participant_t))
    anova = domain.test("cohort", "anova_gain", "gain_by_programme")
    if anova is not None and anova.result.computed:
        verdict = "differed" if significant(anova) else "did not differ clearly"
        found.append(
            finding(
                "programme_gains",
                key,
                f"Cohort gains {verdict} between programmes",
                Stats(
                    f"{_apa(anova)}, partial eta squared "
                    f"{_effect_value(anova.result, 'partial_eta_squared')}"
                ),
                "; with few cohorts this comparison has little power.",
                comparison="gain_by_programme",
                people=anova.result.n,
                figures=entry_figures(anova),
            )
        )
    found.extend(_group_findings(domain))
    found.extend(_followup_findings(domain, min_group_size))
    bias = domain.test("participant", "welch_t", "matching_bias")
    if bias is not None and bias.result.computed and significant(bias):
        direction = "higher" if (bias.result.estimate or 0) > 0 else "lower"
        found.append(
            finding(
                "matching_bias",
                key,
                f"People who were matched at post-test had started {direction} than those who "
                "took the pre-test only",
                Stats(_apa(bias)),
                ", so the matched group may not represent everyone trained.",
                comparison="matching_bias",
                people=bias.result.n,
                figures={**entry_figures(bias), "direction": direction},
            )
        )
    return found


def missing_timepoint_advice(timepoints: Iterable[str]) -> str | None:
    """Why no change could be measured when a whole timepoint is missing, with advice that fits;
    None when both pre-test and post-test were answered (then the codes did not match)."""
    present = set(timepoints)
    if "post" not in present:
        return (
            "No one has answered a post-test yet, so change cannot be measured. Set up and "
            "open the post-test questionnaire at the end of the training; the results appear "
            "once people answer it."
        )
    if "pre" not in present:
        return (
            "No one answered a pre-test, so change cannot be measured: there is nothing to "
            "compare the post-test with. Open the pre-test before the next cohort's training."
        )
    return None


#: Fewer matched people than this: the headline says the size of the change is uncertain.
FEW_PEOPLE = 20


def headline_finding(domain: DomainEvaluation, min_group_size: int) -> Finding:
    """What changed in ``domain``, by how much and how sure we are, in words a board reads.

    E.g. "Knowledge rose from 41% to 78% of answers correct, a large change; this is very
    unlikely to be chance." The judgement is the participant-level paired t-test's, on its
    Holm-adjusted p; a cohort-level test that does not confirm it, and a small number of
    people, are said in a second sentence. The statistics go to ``statistics`` ("the figures
    behind this"), never into the words.
    """
    info = domain.domain
    key = info.id
    n = domain.n_pairs
    if n == 0:
        return finding(
            "headline",
            key,
            f"{info.label}: no one was measured both before and after training, so change "
            "could not be assessed.",
            people=0,
        )
    if n < min_group_size:
        return finding(
            "headline",
            key,
            f"{info.label}: fewer than {min_group_size} people were measured both before and "
            "after training, too few to report.",
            figures={"min_group_size": min_group_size},
        )
    entry = domain.test("participant", "paired_t")
    overall = domain.overall
    if (
        entry is None
        or not entry.result.computed
        or overall.pre_mean is None
        or overall.post_mean is None
    ):
        reason = entry.result.reason if entry is not None else None
        return finding(
            "headline",
            key,
            f"{info.label}: {people(n)} {were(n)} measured before and after training, but "
            "the change could not be tested" + (f" ({reason})." if reason else "."),
            people=n,
        )
    result = entry.result
    change = result.estimate or 0.0
    levels = _levels(info, overall)
    p = entry.p_holm if entry.p_holm is not None else result.p
    if significant(entry):
        dz = result.effect("cohen_dz")
        size = f", {size_word(dz.value)} change" if dz is not None else ""
        verb = "rose" if change > 0 else "fell"
        sentence = f"{info.label} {verb} {levels}{size}; {_certainty(p)}."
    else:
        sentence = f"{info.label} went {levels}; a change this size could be chance."
    cohort = domain.test("cohort", "paired_t")
    if (
        significant(entry)
        and cohort is not None
        and cohort.result.computed
        and not significant(cohort)
    ):
        sentence += (
            " The cohort-level check, which treats each cohort as one measurement, does not "
            "confirm it, so read it with caution."
        )
    if n < FEW_PEOPLE:
        sentence += f" With only {people(n)}, how large the change is remains uncertain."
    ci = result.estimate_ci
    dz = result.effect("cohen_dz")
    statistics = (
        f"{people(n)}; mean change {signed(change)} points"
        + (f" (95% CI {ci.low:.2f} to {ci.high:.2f})" if ci else "")
        + f"; {_apa(entry)}"
        + (f"; Cohen's d_z = {dz.value:.2f}" if dz is not None else "")
    )
    return finding(
        "headline",
        key,
        sentence,
        Stats(statistics),
        comparison="pre_post",
        people=n,
        figures={**entry_figures(entry), **_row_figures(overall)},
    )


def _levels(info: DomainInfo, overall: MeanRow) -> str:
    """ "from 41% to 78% of answers correct", "from 16.8 to 22.4 on a scale of 6 to 30" ..."""
    pre, post = overall.pre_mean or 0.0, overall.post_mean or 0.0
    pre_percent, post_percent = overall.pre_percent, overall.post_percent
    if info.answers == "keyed" and pre_percent is not None and post_percent is not None:
        return f"from {pre_percent:.0f}% to {post_percent:.0f}% of answers correct"
    if info.answers == "rating" and info.min_total is not None and info.max_total is not None:
        return (
            f"from {pre:.1f} to {post:.1f} on a scale of {info.min_total:g} to {info.max_total:g}"
        )
    if pre_percent is not None and post_percent is not None:
        return f"from {pre_percent:.0f}% to {post_percent:.0f}% of the possible score"
    return f"from {pre:.2f} to {post:.2f} points on average"


def _certainty(p: float | None) -> str:
    """How sure we are that a significant change is not chance, from its (adjusted) p."""
    if p is not None and p < 0.001:
        return "this is very unlikely to be chance"
    if p is not None and p < 0.01:
        return "this is unlikely to be chance"
    return "this is probably not chance, though the evidence is moderate"


def _change(domain: DomainEvaluation) -> Finding:
    """The descriptive finding: mean scores before and after for the matched people."""
    name = domain.domain.label
    n = domain.n_pairs
    overall = domain.overall
    if overall.pre_mean is None or overall.post_mean is None:
        return finding(
            "matched",
            domain.domain.id,
            f"{name}: {people(n)} {were(n)} matched before and after training.",
            comparison="pre_post",
            people=n,
        )
    return finding(
        "change",
        domain.domain.id,
        f"{name}: the {people(n)} matched before and after training scored "
        f"{score(overall.pre_mean, overall.pre_percent)} on average before and "
        f"{score(overall.post_mean, overall.post_percent)} after, a change of "
        f"{signed(overall.difference)} points"
        + (
            f" ({signed(overall.difference_percent, 0)} percentage points)."
            if overall.difference_percent is not None
            else "."
        ),
        comparison="pre_post",
        people=n,
        figures=_row_figures(overall),
    )


def _cohort_finding(key: str, entry: TestEntry, n_cohorts: int) -> Finding:
    result = entry.result
    if not result.computed:
        return finding(
            "cohort_test",
            key,
            f"The cohort-level test could not be run: {result.reason}.",
            comparison="pre_post",
            people=result.n,
            figures={"computed": False},
        )
    verdict = "a statistically significant" if significant(entry) else "no statistically clear"
    r = result.effect("r")
    return finding(
        "cohort_test",
        key,
        f"Across {n_cohorts} cohorts, taking each cohort's mean as one measurement (the "
        f"cohort-level method), there was {verdict} change",
        Stats(_apa(entry) + (f", r {bounded(r.value)}" if r is not None else "")),
        ".",
        comparison="pre_post",
        people=result.n,
        figures={**entry_figures(entry), "cohorts": n_cohorts},
    )


def _participant_finding(key: str, entry: TestEntry) -> Finding:
    result = entry.result
    if not result.computed:
        return finding(
            "participant_test",
            key,
            f"The participant-level test could not be run: {result.reason}.",
            comparison="pre_post",
            people=result.n,
            figures={"computed": False},
        )
    dz = result.effect("cohen_dz")
    ci = result.estimate_ci
    verdict = "statistically significant" if significant(entry) else "not statistically clear"
    return finding(
        "participant_test",
        key,
        f"Per person, the mean change was {signed(result.estimate)} points"
        + (f" (95% CI {ci.low:.2f} to {ci.high:.2f})" if ci else "")
        + f", which is {verdict}",
        Stats(_apa(entry)),
        (f"; Cohen's d_z = {dz.value:.2f}, {size_word(dz.value)} effect" if dz is not None else "")
        + ".",
        comparison="pre_post",
        people=result.n,
        figures=entry_figures(entry),
    )


def _group_findings(domain: DomainEvaluation) -> list[Finding]:
    found: list[Finding] = []
    quiet: list[str] = []
    for breakdown in domain.breakdowns:
        grouping = breakdown.grouping
        baseline = _entry(domain, f"baseline_by_{grouping}")
        gain = _entry(domain, f"gain_by_{grouping}")
        shown = [row for row in breakdown.rows if row.pre_mean is not None]
        said = False
        if baseline is not None and baseline.result.computed and significant(baseline):
            found.append(_baseline_finding(domain.domain.id, breakdown, shown, baseline))
            said = True
        if gain is not None and gain.result.computed and significant(gain):
            found.append(_gain_finding(domain.domain.id, breakdown, shown, gain))
            said = True
        if not said and gain is not None and gain.result.computed:
            quiet.append(grouping)
    if quiet:
        found.append(
            finding(
                "groups_quiet",
                domain.domain.id,
                f"Neither starting scores nor gains differed clearly by {join_or(quiet)} "
                "(participant-level Welch tests, Holm-adjusted).",
                figures={"groupings": ", ".join(quiet)},
            )
        )
    return found


def _baseline_finding(
    key: str, breakdown: Breakdown, shown: list[MeanRow], entry: TestEntry
) -> Finding:
    comparison = f"baseline_by_{breakdown.grouping}"
    if len(shown) < 2:
        return _groups_too_small("baseline_gap", key, "Starting scores", breakdown, entry)
    low = min(shown, key=lambda row: row.pre_mean or 0.0)
    high = max(shown, key=lambda row: row.pre_mean or 0.0)
    figures: dict[str, FigureValue] = {
        **entry_figures(entry),
        "lower_group": low.label,
        "lower_pre_mean": low.pre_mean,
        "higher_group": high.label,
        "higher_pre_mean": high.pre_mean,
    }
    after = ""
    if low.post_mean is not None and high.post_mean is not None:
        gap_before = (high.pre_mean or 0.0) - (low.pre_mean or 0.0)
        gap_after = high.post_mean - low.post_mean
        figures.update(gap_before=gap_before, gap_after=gap_after)
        if gap_after < gap_before:
            after = (
                f"; after training the gap narrowed to {gap_after:.2f} points "
                f"({score(low.post_mean, low.post_percent)} against "
                f"{score(high.post_mean, high.post_percent)})"
            )
        else:
            after = f"; after training the gap was {gap_after:.2f} points"
    return finding(
        "baseline_gap",
        key,
        f"Before training, {low.label} started lower ({score(low.pre_mean, low.pre_percent)}) "
        f"than {high.label} ({score(high.pre_mean, high.pre_percent)})",
        Stats(_apa(entry)),
        after + ".",
        comparison=comparison,
        people=entry.result.n,
        figures=figures,
    )


def _gain_finding(
    key: str, breakdown: Breakdown, shown: list[MeanRow], entry: TestEntry
) -> Finding:
    comparison = f"gain_by_{breakdown.grouping}"
    if len(shown) < 2:
        return _groups_too_small("gain_gap", key, "Gains", breakdown, entry)
    most = max(shown, key=lambda row: row.difference or 0.0)
    least = min(shown, key=lambda row: row.difference or 0.0)
    return finding(
        "gain_gap",
        key,
        f"Gains differed by {breakdown.grouping}: {most.label} gained most "
        f"({signed(most.difference)} points) and {least.label} least "
        f"({signed(least.difference)})",
        Stats(_apa(entry)),
        ".",
        comparison=comparison,
        people=entry.result.n,
        figures={
            **entry_figures(entry),
            "most_group": most.label,
            "most_gain": most.difference,
            "least_group": least.label,
            "least_gain": least.difference,
        },
    )


def _groups_too_small(
    kind: str, key: str, what: str, breakdown: Breakdown, entry: TestEntry
) -> Finding:
    """A significant group difference whose groups are too small to name (fewer than two shown)."""
    return finding(
        kind,
        key,
        f"{what} differed by {breakdown.grouping}",
        Stats(_apa(entry)),
        "; the groups are too small to show.",
        comparison=entry.comparison,
        people=entry.result.n,
        figures=entry_figures(entry),
    )


def _followup_findings(domain: DomainEvaluation, min_group_size: int) -> list[Finding]:
    found: list[Finding] = []
    key = domain.domain.id
    for comparison, (first, second) in FOLLOWUP_WORDING.items():
        entry = domain.test("participant", "paired_t", comparison)
        if entry is None:
            continue
        result = entry.result
        if 0 < result.n < min_group_size:
            found.append(
                finding(
                    "followup_too_few",
                    key,
                    f"Follow-up: fewer than {min_group_size} people were measured both {first} "
                    f"and {second}, too few to report.",
                    comparison=comparison,
                    figures={"min_group_size": min_group_size},
                )
            )
            continue
        if not result.computed:
            found.append(
                finding(
                    "followup_not_run",
                    key,
                    f"{first.capitalize()} vs {second}: the test could not be run "
                    f"({result.reason}).",
                    comparison=comparison,
                    people=result.n,
                )
            )
            continue
        change = result.estimate or 0.0
        if significant(entry):
            verdict = "higher" if change > 0 else "lower"
            summary = f"scores {second} were {verdict} than {first}"
        else:
            summary = f"there was no statistically clear change between {first} and {second}"
        means = ""
        mean_first = result.details.get("mean_pre")
        mean_second = result.details.get("mean_post")
        if result.n >= min_group_size and mean_first is not None and mean_second is not None:
            means = f" ({mean_first:.2f} against {mean_second:.2f})"
        found.append(
            finding(
                "followup",
                key,
                f"Follow-up: for the {people(result.n)} measured both {first} and {second}, "
                f"{summary}{means}",
                Stats(_apa(entry), trailing=True),
                ".",
                comparison=comparison,
                people=result.n,
                figures={
                    **entry_figures(entry),
                    "mean_first": mean_first if means else None,
                    "mean_second": mean_second if means else None,
                },
            )
        )
    return found


# --------------------------------------------------------------------------------------------
# Small helpers


def significant(entry: TestEntry) -> bool:
    """Significant at :data:`ALPHA` on the Holm-adjusted p (the raw p when not adjusted)."""
    p = entry.p_holm if entry.p_holm is not None else entry.result.p
    return p is not None and p < ALPHA


def entry_figures(entry: TestEntry) -> dict[str, FigureValue]:
    """The figures of a test: statistic, df, p, Holm-adjusted p, estimate, effect sizes."""
    result = entry.result
    figures: dict[str, FigureValue] = {
        "test": result.test,
        "statistic_name": result.statistic_name,
        "statistic": result.statistic,
        "p": result.p,
        "p_holm": entry.p_holm,
        "n": result.n,
        "estimate": result.estimate,
        "significant": significant(entry),
    }
    if isinstance(result.df, tuple):
        figures["df1"], figures["df2"] = result.df
    else:
        figures["df"] = result.df
    if result.estimate_ci is not None:
        figures["ci_low"] = result.estimate_ci.low
        figures["ci_high"] = result.estimate_ci.high
    for effect in result.effect_sizes:
        figures[effect.name] = effect.value
    return figures


def _row_figures(row: MeanRow) -> dict[str, FigureValue]:
    return {
        "pre_mean": row.pre_mean,
        "post_mean": row.post_mean,
        "difference": row.difference,
        "pre_percent": row.pre_percent,
        "post_percent": row.post_percent,
        "difference_percent": row.difference_percent,
    }


def _apa(entry: TestEntry) -> str:
    """APA text, with the Holm-adjusted p when adjustment changed it."""
    text = entry.result.apa()
    if entry.p_holm is None or entry.result.p is None:
        return text
    if math.isclose(entry.p_holm, entry.result.p):
        return text
    if format_p(entry.p_holm) == format_p(entry.result.p):
        return text  # e.g. both "p < .001": adjusting changed nothing a reader would see
    return f"{text}; Holm-adjusted {format_p(entry.p_holm)}"


def _entry(domain: DomainEvaluation, comparison: str) -> TestEntry | None:
    for entry in domain.tests:
        if entry.unit == "participant" and entry.comparison == comparison:
            return entry
    return None


def _effect_value(result: TestResult, name: str) -> str:
    effect = result.effect(name)
    return "not available" if effect is None else bounded(effect.value)
