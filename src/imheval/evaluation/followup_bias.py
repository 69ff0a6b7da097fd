"""Matching bias at follow-up in words: did those who answered at follow-up differ?

:func:`imheval.matching.bias.followup_bias` gives the figures (counts, mean pre, post and gain
of those matched before and after training who did and did not answer at follow-up, Welch's t
on pre scores and on gains, small groups hidden); :func:`followup_bias_findings` says what they
mean, one finding per domain, so a reader knows whether follow-up results speak for everyone
trained or for a keener (or struggling) few.
"""

from __future__ import annotations

from collections.abc import Mapping

from imheval.findings import Finding, Stats, finding
from imheval.matching.bias import FollowupBias, FollowupDomainBias

ALPHA = 0.05


def followup_bias_findings(bias: FollowupBias, labels: Mapping[str, str]) -> list[Finding]:
    """One finding per domain on how the people who answered at follow-up differed, or one
    saying why they cannot be compared; none when there was no follow-up wave."""
    if bias.n_followed == 0 and bias.reason is not None:
        return []
    if bias.reason is not None:
        return [finding("followup_bias_none", "", f"Follow-up: {bias.reason}.")]
    if bias.n_followed is None:
        return [
            finding(
                "followup_bias_too_few",
                "",
                "Too few people answered at follow-up, or did not, to compare the two groups "
                "without giving away who they are.",
            )
        ]
    return [_domain_finding(d, labels.get(d.domain, d.domain)) for d in bias.domains]


def _domain_finding(entry: FollowupDomainBias, label: str) -> Finding:
    test = entry.gain_test
    figures = {
        "n_followed": entry.n_followed,
        "n_not_followed": entry.n_not_followed,
        "mean_gain_followed": entry.mean_gain_followed,
        "mean_gain_not_followed": entry.mean_gain_not_followed,
        "gain_difference": entry.gain_difference,
        "p": test.p,
    }
    if not test.computed or entry.mean_gain_followed is None:
        return finding(
            "followup_bias",
            entry.domain,
            f"{label}: those who answered at follow-up and those who did not cannot be "
            f"compared: {test.reason or 'a group is too small'}.",
            comparison="followup_bias",
            figures=figures,
        )
    followed, not_followed = entry.mean_gain_followed, entry.mean_gain_not_followed or 0.0
    significant = test.p is not None and test.p < ALPHA
    verdict = (
        ", a difference unlikely to be chance, so follow-up results may not represent everyone "
        "trained"
        if significant
        else ", but the difference could be chance"
    )
    if f"{followed:+.2f}" == f"{not_followed:+.2f}":
        # equal as printed: "more" or "less" would contradict the figures beside it
        compared, verdict = "about as much as", ""
    else:
        compared = "more than" if followed > not_followed else "less than"
    parts: list[str | Stats] = [
        f"{label}: the {entry.n_followed} people who answered at follow-up had gained "
        f"{compared} the {entry.n_not_followed} who did not by the end of training: a mean "
        f"gain of {followed:+.2f} against {not_followed:+.2f} points",
        Stats(f"Welch's {test.apa()}"),
        verdict,
        ".",
    ]
    pre = entry.pre_test
    if pre.computed and pre.p is not None and pre.p < ALPHA:
        start = "higher" if (pre.estimate or 0) > 0 else "lower"
        parts += [f" They had also started {start} before training", Stats(pre.apa()), "."]
    return finding(
        "followup_bias",
        entry.domain,
        *parts,
        comparison="followup_bias",
        people=(entry.n_followed or 0) + (entry.n_not_followed or 0),
        figures=figures,
    )
