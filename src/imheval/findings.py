"""Plain-English findings for one domain, each sentence with the APA figures behind it.

The sentences judge significance on the Holm-adjusted p (across domains) and always print the
p they judged on, so a sentence never contradicts its own figures. Group comparisons name the
direction (who started lower, who gained more) from the suppression-aware breakdown rows, so a
hidden small group is never described.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from imheval.scoring import DomainInfo
from imheval.stats import TestResult, format_p
from imheval.stats.apa import format_number

if TYPE_CHECKING:
    from imheval.evaluation import Breakdown, DomainEvaluation, MeanRow, TestEntry

#: Significance level for the wording ("statistically significant").
ALPHA = 0.05

WHICH_TO_TRUST = (
    "Two kinds of test are reported for each domain. Cohort-level tests (the seed study's "
    "method) treat each cohort's mean as one measurement: they respect the fact that people "
    "trained together are not independent, but with few cohorts they have little power, and "
    "their effect sizes describe differences between cohort means, so they are much larger "
    "than participant-level ones and must not be compared with published values. "
    "Participant-level tests use every matched person and give effect sizes (Cohen's d_z) "
    "that can be compared with other pre/post studies, but they treat people as independent, "
    "which overstates certainty when cohorts differ. When both point the same way, the "
    "conclusion does not hang on the choice of unit; when only the participant-level test is "
    "significant, report it with that caveat. The mixed model, where it could be fitted, "
    "allows for both people and cohorts at once."
)


def findings_for(domain: DomainEvaluation, min_group_size: int) -> list[str]:
    """Plain-English sentences on one domain (empty list never: at least one sentence)."""
    name = domain.domain.label
    if domain.n_pairs == 0:
        return [
            f"{name}: no one was measured both before and after training, so change could "
            "not be assessed."
        ]
    if domain.n_pairs < min_group_size:
        return [
            f"{name}: fewer than {min_group_size} people were measured both before and after "
            "training, too few to report without risking identifying them."
        ]
    lines: list[str] = []
    overall = domain.overall
    if overall.pre_mean is not None and overall.post_mean is not None:
        lines.append(
            f"{name}: the {domain.n_pairs} people matched before and after training scored "
            f"{_score(overall.pre_mean, overall.pre_percent)} on average before and "
            f"{_score(overall.post_mean, overall.post_percent)} after, a change of "
            f"{_signed(overall.difference)} points"
            + (
                f" ({_signed(overall.difference_percent, 0)} percentage points)."
                if overall.difference_percent is not None
                else "."
            )
        )
    else:
        lines.append(f"{name}: {domain.n_pairs} people were matched before and after training.")
    cohort_t = domain.test("cohort", "paired_t")
    if cohort_t is not None:
        lines.append(_cohort_sentence(cohort_t, domain.n_cohorts))
    participant_t = domain.test("participant", "paired_t")
    if participant_t is not None:
        lines.append(_participant_sentence(participant_t))
    anova = domain.test("cohort", "anova_gain", "gain_by_programme")
    if anova is not None and anova.result.computed:
        verdict = "differed" if _significant(anova) else "did not differ clearly"
        lines.append(
            f"Cohort gains {verdict} between programmes ({_apa(anova)}, partial eta squared "
            f"{_effect_value(anova.result, 'partial_eta_squared')}); with few cohorts this "
            "comparison has little power."
        )
    lines.extend(_group_sentences(domain))
    lines.extend(_followup_sentences(domain, min_group_size))
    bias = domain.test("participant", "welch_t", "matching_bias")
    if bias is not None and bias.result.computed and _significant(bias):
        direction = "higher" if (bias.result.estimate or 0) > 0 else "lower"
        lines.append(
            f"People who were matched at post-test had started {direction} than those who took "
            f"the pre-test only ({_apa(bias)}), so the matched group may not represent everyone "
            "trained."
        )
    return lines


def _cohort_sentence(entry: TestEntry, n_cohorts: int) -> str:
    result = entry.result
    if not result.computed:
        return f"The seed study's cohort-level test could not be run: {result.reason}."
    verdict = "a statistically significant" if _significant(entry) else "no statistically clear"
    r = result.effect("r")
    return (
        f"Across {n_cohorts} cohorts, taking each cohort's mean as one measurement as the seed "
        f"study did, there was {verdict} change ({_apa(entry)}"
        + (f", r {_bounded(r.value)}" if r is not None else "")
        + ")."
    )


def _participant_sentence(entry: TestEntry) -> str:
    result = entry.result
    if not result.computed:
        return f"The participant-level test could not be run: {result.reason}."
    dz = result.effect("cohen_dz")
    ci = result.estimate_ci
    verdict = "statistically significant" if _significant(entry) else "not statistically clear"
    sentence = (
        f"Per person, the mean change was {_signed(result.estimate)} points"
        + (f" (95% CI {ci.low:.2f} to {ci.high:.2f})" if ci else "")
        + f", which is {verdict} ({_apa(entry)})"
    )
    if dz is not None:
        sentence += f"; Cohen's d_z = {dz.value:.2f}, {_size_word(dz.value)} effect"
    return sentence + "."


def _group_sentences(domain: DomainEvaluation) -> list[str]:
    lines: list[str] = []
    quiet: list[str] = []
    for breakdown in domain.breakdowns:
        grouping = breakdown.grouping
        baseline = _entry(domain, f"baseline_by_{grouping}")
        gain = _entry(domain, f"gain_by_{grouping}")
        shown = [row for row in breakdown.rows if row.pre_mean is not None]
        said = False
        if baseline is not None and baseline.result.computed and _significant(baseline):
            lines.append(_baseline_sentence(breakdown, shown, baseline))
            said = True
        if gain is not None and gain.result.computed and _significant(gain):
            lines.append(_gain_sentence(breakdown, shown, gain))
            said = True
        if not said and gain is not None and gain.result.computed:
            quiet.append(grouping)
    if quiet:
        lines.append(
            f"Neither starting scores nor gains differed clearly by {_join(quiet)} "
            "(participant-level Welch tests, Holm-adjusted)."
        )
    return lines


def _baseline_sentence(breakdown: Breakdown, shown: list[MeanRow], entry: TestEntry) -> str:
    if len(shown) < 2:
        return (
            f"Starting scores differed by {breakdown.grouping} ({_apa(entry)}); the groups are "
            "too small to show."
        )
    low = min(shown, key=lambda row: row.pre_mean or 0.0)
    high = max(shown, key=lambda row: row.pre_mean or 0.0)
    sentence = (
        f"Before training, {low.label} started lower ({_score(low.pre_mean, low.pre_percent)}) "
        f"than {high.label} ({_score(high.pre_mean, high.pre_percent)}) ({_apa(entry)})"
    )
    if low.post_mean is not None and high.post_mean is not None:
        gap_before = (high.pre_mean or 0.0) - (low.pre_mean or 0.0)
        gap_after = high.post_mean - low.post_mean
        if gap_after < gap_before:
            sentence += (
                f"; after training the gap narrowed to {gap_after:.2f} points "
                f"({_score(low.post_mean, low.post_percent)} against "
                f"{_score(high.post_mean, high.post_percent)})"
            )
        else:
            sentence += f"; after training the gap was {gap_after:.2f} points"
    return sentence + "."


def _gain_sentence(breakdown: Breakdown, shown: list[MeanRow], entry: TestEntry) -> str:
    if len(shown) < 2:
        return (
            f"Gains differed by {breakdown.grouping} ({_apa(entry)}); the groups are too "
            "small to show."
        )
    most = max(shown, key=lambda row: row.difference or 0.0)
    least = min(shown, key=lambda row: row.difference or 0.0)
    return (
        f"Gains differed by {breakdown.grouping}: {most.label} gained most "
        f"({_signed(most.difference)} points) and {least.label} least "
        f"({_signed(least.difference)}) ({_apa(entry)})."
    )


def _followup_sentences(domain: DomainEvaluation, min_group_size: int) -> list[str]:
    lines: list[str] = []
    wording = {
        "pre_followup": ("before training", "at follow-up"),
        "post_followup": ("straight after training", "at follow-up"),
    }
    for comparison, (first, second) in wording.items():
        entry = domain.test("participant", "paired_t", comparison)
        if entry is None:
            continue
        result = entry.result
        if 0 < result.n < min_group_size:
            lines.append(
                f"Follow-up: fewer than {min_group_size} people were measured both {first} and "
                f"{second}, too few to report."
            )
            continue
        if not result.computed:
            lines.append(
                f"{first.capitalize()} vs {second}: the test could not be run ({result.reason})."
            )
            continue
        change = result.estimate or 0.0
        if _significant(entry):
            verdict = "higher" if change > 0 else "lower"
            summary = f"scores {second} were {verdict} than {first}"
        else:
            summary = f"there was no statistically clear change between {first} and {second}"
        means = ""
        mean_first = result.details.get("mean_pre")
        mean_second = result.details.get("mean_post")
        if result.n >= min_group_size and mean_first is not None and mean_second is not None:
            means = f" ({mean_first:.2f} against {mean_second:.2f})"
        lines.append(
            f"Follow-up: for the {result.n} people measured both {first} and {second}, "
            f"{summary}{means}, {_apa(entry)}."
        )
    return lines


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


def _significant(entry: TestEntry) -> bool:
    p = entry.p_holm if entry.p_holm is not None else entry.result.p
    return p is not None and p < ALPHA


def _entry(domain: DomainEvaluation, comparison: str) -> TestEntry | None:
    for entry in domain.tests:
        if entry.unit == "participant" and entry.comparison == comparison:
            return entry
    return None


def _effect_value(result: TestResult, name: str) -> str:
    effect = result.effect(name)
    return "not available" if effect is None else _bounded(effect.value)


def _bounded(value: float) -> str:
    """A correlation-type value with its relation sign, APA style without the leading zero:
    "= .26", and "> .99" rather than a misleading "= 1.00"."""
    if 0.995 <= abs(value) < 1:
        return "> .99" if value > 0 else "< -.99"
    return "= " + format_number(value, bounded=True)


def _count(count: int | None, total: int, min_group_size: int) -> str:
    """ "12 of 59 people (20%)", or "fewer than 5 of 59 people" for a small count."""
    if count is None:
        return "an unknown number of people"
    if 0 < count < min_group_size:
        return f"fewer than {min_group_size} of {total} people"
    return f"{count} of {total} people ({count / total:.0%})"


def _apa_bounded(value: float) -> str:
    """A number that cannot exceed 1 in APA style, without the leading zero: .65, -.12."""
    return format_number(value, bounded=True)


def _size_word(d: float) -> str:
    """Cohen's (1988) conventional labels; d_z is not comparable with between-group d."""
    size = abs(d)
    if size < 0.2:
        return "a negligible"
    if size < 0.5:
        return "a small"
    if size < 0.8:
        return "a medium"
    return "a large"


def _score(mean: float | None, percent: float | None) -> str:
    if mean is None:
        return "not shown"
    return f"{mean:.2f}" + (f" ({percent:.0f}%)" if percent is not None else "")


def _signed(value: float | None, places: int = 2) -> str:
    if value is None:
        return "unknown"
    return f"{value:+.{places}f}"


def _join(words: list[str]) -> str:
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def extra_findings(domain: DomainEvaluation, min_group_size: int) -> list[str]:
    """Sentences on reliability, ceilings, reliable change, retention and the mixed model."""
    extras = domain.extras
    if extras is None or domain.n_pairs < min_group_size:
        return []
    lines: list[str] = []
    items = extras.items
    alpha = items.reliability_pre.alpha if items is not None else None
    if items is not None and alpha is not None:
        reliability = items.reliability_pre
        ci = (
            f" (95% CI {_apa_bounded(reliability.ci_low)} to {_apa_bounded(reliability.ci_high)})"
            if reliability.ci_low is not None and reliability.ci_high is not None
            else ""
        )
        verdict = (
            "acceptable for comparing groups"
            if alpha >= 0.7
            else "low, so the total mixes several things and individual scores are imprecise"
        )
        lines.append(
            f"Internal consistency ({reliability.name}) before training was "
            f"{_apa_bounded(alpha)}{ci}: {verdict}."
        )
    if items is not None:
        easy = [s.item for s in items.items if s.flags]
        ceilings = [c for c in (items.ceiling_pre, items.ceiling_post) if c and c.flagged]
        for ceiling in ceilings:
            if ceiling.share is not None:
                when = "before" if ceiling is items.ceiling_pre else "after"
                # a share of a few people is a count in disguise: give only the threshold
                share = (
                    f"{ceiling.share:.0%} of people"
                    if ceiling.n_at_max >= min_group_size
                    else "More than 15% of people"
                )
                lines.append(
                    f"{share} scored the maximum {when} training (the threshold is 15%): too "
                    "easy to show change; add harder items."
                )
        if easy:
            lines.append(
                f"{len(easy)} item(s) were answered correctly by more than 90% of people before "
                f"training ({', '.join(easy)}): too easy to show change; add harder items."
            )
    change = extras.reliable_change
    if (
        change.computed
        and change.n >= min_group_size
        and change.share_improved is not None
        and change.minimum_reliable_change is not None
    ):
        improved = _count(change.n_improved, change.n, min_group_size)
        declined = _count(change.n_declined, change.n, min_group_size)
        source = (
            f"the domain's {items.reliability_pre.name} at pre-test"
            if items is not None
            else "the reliability given"
        )
        lines.append(
            f"Reliable change (Jacobson-Truax, using {source} as the reliability; a test-retest "
            f"reliability is better where one exists): {improved} improved by more than "
            f"measurement error explains (at least {change.minimum_reliable_change:.2f} points); "
            f"{declined} reliably declined."
        )
    kept = extras.retention
    if (
        kept is not None
        and kept.computed
        and kept.n >= min_group_size
        and kept.share_retained is not None
    ):
        lines.append(
            f"Retention: for the {kept.n} people measured before, after and at follow-up, "
            f"{kept.share_retained:.0%} of the gain after training remained at follow-up "
            f"({_signed(kept.gain_followup)} of {_signed(kept.gain_post)} points)."
        )
    model = extras.mixed_model
    post = model.fixed_effect("timepost") if model.computed else None
    if post is not None:
        how = (
            "allowing for differences between cohorts and between people"
            if model.cohort_effect == "random"
            else "allowing for differences between people (there is only one cohort)"
            if model.cohort_effect == "none"
            else "allowing for differences between people, with cohort as a fixed effect "
            f"({model.cohort_effect_reason})"
            if model.cohort_effect_reason
            else "allowing for differences between people"
        )
        lines.append(
            f"A linear mixed model {how} estimates the change from before to after as "
            f"{_signed(post.estimate)} points (95% CI {post.ci.low:.2f} to {post.ci.high:.2f}, "
            f"{post.apa()})."
        )
    return lines


def reaction_findings(info: DomainInfo, at_post: np.ndarray, min_group_size: int) -> list[str]:
    """Kirkpatrick level 1: how people rated the training at its end (no before/after)."""
    values = at_post[~np.isnan(at_post)]
    if len(values) == 0:
        return [f"{info.label}: nobody answered these questions after training."]
    if len(values) < min_group_size:
        return [
            f"{info.label}: fewer than {min_group_size} people answered, so the ratings are "
            "not shown."
        ]
    mean = float(values.mean())
    return [
        f"{info.label} (asked once, at the end of training): {len(values)} people rated it "
        f"{_score(mean, info.percent_of_maximum(mean))} on average on a scale of "
        f"{info.min_total:g} to {info.max_total:g}. This is how the training was received, "
        "not evidence of learning."
    ]
