"""Plain-English findings on a domain's deeper analyses: reliability, ceilings and floors,
too-easy and too-hard items, reliable change, retention, the mixed model, and a level 1 reaction
asked once.

The kinds (listed with the others in :mod:`imheval.evaluation.findings`): ``reliability``,
``ceiling``, ``floor``, ``easy_items``, ``hard_items``, ``reliable_change``, ``retention``,
``mixed_model``, ``reaction`` (``reaction_none``, ``reaction_too_few``); :mod:`gains` writes
``ancova`` and ``normalised_gain``. A count the sentence hides ("fewer than 5 of 59") is
not kept as a figure either.
"""

from __future__ import annotations

import numpy as np

from imheval.evaluation.gains import gain_findings
from imheval.evaluation.programmes import programme_findings
from imheval.evaluation.results import DomainEvaluation
from imheval.evaluation.retrospective import retrospective_findings
from imheval.findings.model import Finding, Stats, finding
from imheval.findings.wording import TOO_EASY, apa_bounded, people, score, signed
from imheval.scoring import DomainInfo
from imheval.stats import ItemAnalysis
from imheval.stats.items import CEILING_SHARE, EASY_ITEM_FACILITY, FLOOR_ADVICE


def extra_findings(domain: DomainEvaluation, min_group_size: int) -> list[Finding]:
    """Findings on reliability, ceilings, reliable change, retention and the mixed model."""
    extras = domain.extras
    if extras is None:
        return []
    # A retrospective pre-test stands without a real one: its findings come first, whatever
    # the number of matched pairs.
    then_now = retrospective_findings(extras.retrospective, domain.domain, min_group_size)
    if domain.n_pairs < min_group_size:
        return then_now
    key = domain.domain.id
    found: list[Finding] = list(then_now)
    items = extras.items
    if items is not None:
        found.extend(_item_findings(key, items, min_group_size))
    change = extras.reliable_change
    if (
        change.computed
        and change.n >= min_group_size
        and change.share_improved is not None
        and change.minimum_reliable_change is not None
    ):
        improved = _count(change.n_improved, change.n, min_group_size)
        declined = _count(change.n_declined, change.n, min_group_size)
        found.append(
            finding(
                "reliable_change",
                key,
                f"{reliable_change_lead(items, on_forms=bool(extras.forms))}: {improved} "
                "improved by more than measurement error explains"
                f" (at least {change.minimum_reliable_change:.2f} points); "
                f"{declined} reliably declined.",
                people=change.n,
                figures={
                    # a count the sentence hides ("fewer than 5 of 59") is not a figure either
                    "improved": _shown(change.n_improved, min_group_size),
                    "declined": _shown(change.n_declined, min_group_size),
                    "minimum_reliable_change": change.minimum_reliable_change,
                    "reliability": change.reliability,
                },
            )
        )
    kept = extras.retention
    if (
        kept is not None
        and kept.computed
        and kept.n >= min_group_size
        and kept.share_retained is not None
    ):
        found.append(
            finding(
                "retention",
                key,
                f"Retention: for the {people(kept.n)} measured before, after and at follow-up, "
                f"{kept.share_retained:.0%} of the gain after training remained at follow-up "
                f"({signed(kept.gain_followup)} of {signed(kept.gain_post)} points)",
                *(
                    (Stats(f"95% CI {kept.share_ci.low:.0%} to {kept.share_ci.high:.0%}"),)
                    if kept.share_ci is not None
                    else ()
                ),
                ".",
                people=kept.n,
                figures={
                    "share_retained": kept.share_retained,
                    "share_ci_low": kept.share_ci.low if kept.share_ci is not None else None,
                    "share_ci_high": kept.share_ci.high if kept.share_ci is not None else None,
                    "gain_post": kept.gain_post,
                    "gain_followup": kept.gain_followup,
                },
            )
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
        found.append(
            finding(
                "mixed_model",
                key,
                f"A linear mixed model {how} estimates the change from before to after as "
                f"{signed(post.estimate)} points",
                Stats(f"95% CI {post.ci.low:.2f} to {post.ci.high:.2f}, {post.apa()}"),
                ".",
                comparison="pre_post",
                figures={
                    "estimate": post.estimate,
                    "ci_low": post.ci.low,
                    "ci_high": post.ci.high,
                    "statistic": post.statistic,
                    "df": post.df,
                    "p": post.p,
                    "cohort_effect": model.cohort_effect,
                },
            )
        )
    found.extend(gain_findings(extras.gains, domain.domain, min_group_size))
    found.extend(programme_findings(extras.programme_model, domain.domain, min_group_size))
    return found


def _item_findings(key: str, items: ItemAnalysis, min_group_size: int) -> list[Finding]:
    found: list[Finding] = []
    reliability = items.reliability_pre
    alpha = reliability.alpha
    if alpha is not None:
        ci = (
            f" (95% CI {apa_bounded(reliability.ci_low)} to {apa_bounded(reliability.ci_high)})"
            if reliability.ci_low is not None and reliability.ci_high is not None
            else ""
        )
        verdict = (
            "acceptable for comparing groups"
            if alpha >= 0.7
            else "low, so the total mixes several things and individual scores are imprecise"
        )
        found.append(
            finding(
                "reliability",
                key,
                f"Internal consistency ({reliability.name}) before training was "
                f"{apa_bounded(alpha)}{ci}: {verdict}.",
                people=reliability.n,
                figures={
                    "measure": reliability.name,
                    "value": alpha,
                    "ci_low": reliability.ci_low,
                    "ci_high": reliability.ci_high,
                },
            )
        )
    for ceiling, when in ((items.ceiling_pre, "before"), (items.ceiling_post, "after")):
        if ceiling is None or not ceiling.flagged or ceiling.share is None:
            continue
        found.append(
            ceiling_finding(key, when, ceiling.share, ceiling.n_at_max, ceiling.n, min_group_size)
        )
    for floor, when in ((items.floor_pre, "before"), (items.floor_post, "after")):
        if floor is None or not floor.flagged or floor.share is None:
            continue
        found.append(floor_finding(key, when, floor.share, floor.n_at_min, floor.n, min_group_size))
    hard = [s.item for s in items.items if s.too_hard]
    if hard:
        found.append(
            finding(
                "hard_items",
                key,
                f"{len(hard)} item(s) were answered correctly by fewer than 10% of people after "
                f"training ({', '.join(hard)}): {FLOOR_ADVICE}.",
                figures={"items": ", ".join(hard)},
            )
        )
    easy = [
        s.item
        for s in items.items
        if s.facility_pre is not None and s.facility_pre > EASY_ITEM_FACILITY
    ]
    if easy:
        found.append(
            finding(
                "easy_items",
                key,
                f"{len(easy)} item(s) were answered correctly by more than 90% of people before "
                f"training ({', '.join(easy)}): {TOO_EASY}.",
                figures={"items": ", ".join(easy)},
            )
        )
    return found


def ceiling_finding(
    key: str, when: str, share: float, n_at_max: int, n: int, min_group_size: int
) -> Finding:
    """Too many people at the maximum ``when`` ("before" or "after") training.

    A share of fewer than ``min_group_size`` people is a count in disguise: then only the
    threshold is given.
    """
    shown = n_at_max >= min_group_size
    threshold = f"{100 * CEILING_SHARE:.0f}%"
    return finding(
        "ceiling",
        key,
        (f"{share:.0%} of people" if shown else f"More than {threshold} of people")
        + f" scored the maximum {when} training (the threshold is {threshold}): {TOO_EASY}.",
        people=n,
        figures={
            "when": when,
            "share": share if shown else None,
            "n_at_max": n_at_max if shown else None,
        },
    )


def floor_finding(
    key: str, when: str, share: float, n_at_min: int, n: int, min_group_size: int
) -> Finding:
    """Too many people at the minimum ``when`` ("before" or "after") training: the mirror of
    :func:`ceiling_finding` (a small count is not given, only the threshold)."""
    shown = n_at_min >= min_group_size
    threshold = f"{100 * CEILING_SHARE:.0f}%"
    advice = (
        FLOOR_ADVICE
        if when == "after"
        else "the questions cannot tell apart the people who started lowest"
    )
    return finding(
        "floor",
        key,
        (f"{share:.0%} of people" if shown else f"More than {threshold} of people")
        + f" scored the minimum {when} training (the threshold is {threshold}): {advice}.",
        people=n,
        figures={
            "when": when,
            "share": share if shown else None,
            "n_at_min": n_at_min if shown else None,
        },
    )


def reliable_change_lead(items: ItemAnalysis | None, *, on_forms: bool = False) -> str:
    """The start of the reliable-change finding, naming the reliability used (``on_forms``:
    people answered different forms, whose pre-test reliabilities were averaged)."""
    if items is not None:
        source = f"the domain's {items.reliability_pre.name} at pre-test"
    elif on_forms:
        source = "the average of the forms' KR-20 / alpha at pre-test"
    else:
        source = "the reliability given"
    return (
        f"Reliable change (Jacobson-Truax, using {source} as the reliability; a test-retest "
        "reliability is better where one exists)"
    )


def reaction_findings(info: DomainInfo, at_post: np.ndarray, min_group_size: int) -> list[Finding]:
    """Kirkpatrick level 1: how people rated the training at its end (no before/after)."""
    values = at_post[~np.isnan(at_post)]
    if len(values) == 0:
        return [
            finding(
                "reaction_none",
                info.id,
                f"{info.label}: nobody answered these questions after training.",
                people=0,
            )
        ]
    if len(values) < min_group_size:
        return [
            finding(
                "reaction_too_few",
                info.id,
                f"{info.label}: fewer than {min_group_size} people answered, so the ratings are "
                "not shown.",
                figures={"min_group_size": min_group_size},
            )
        ]
    mean = float(values.mean())
    return [
        finding(
            "reaction",
            info.id,
            f"{info.label} (asked once, at the end of training): {people(len(values))} rated it "
            f"{score(mean, info.percent_of_maximum(mean))} on average on a scale of "
            f"{info.min_total:g} to {info.max_total:g}. This is how the training was received, "
            "not evidence of learning.",
            people=len(values),
            figures={
                "mean": mean,
                "percent": info.percent_of_maximum(mean),
                "min_total": info.min_total,
                "max_total": info.max_total,
            },
        )
    ]


# --------------------------------------------------------------------------------------------
# Small helpers


def _shown(count: int | None, min_group_size: int) -> int | None:
    """``count`` unless it is 1 to ``min_group_size - 1`` people (then None)."""
    return None if count is None or 0 < count < min_group_size else count


def _count(count: int | None, total: int, min_group_size: int) -> str:
    """ "12 of 59 people (20%)", or "fewer than 5 of 59 people" for a small count."""
    if count is None:
        return "an unknown number of people"
    if 0 < count < min_group_size:
        return f"fewer than {min_group_size} of {total} people"
    return f"{count} of {total} {'person' if total == 1 else 'people'} ({count / total:.0%})"
