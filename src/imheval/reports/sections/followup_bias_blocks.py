"""Who answered at follow-up: matching bias extended to the follow-up wave, for "Who took part".

The figures are :class:`imheval.matching.bias.FollowupBias` (hidden at the evaluation's minimum
group size); the report hides again at its own, which can be larger, and then leaves out the
findings whose counts it hides.
"""

from __future__ import annotations

from imheval.reports.context import ReportContext
from imheval.reports.model import Block, Callout, Findings, Heading, Number, Paragraph, Table
from imheval.reports.wording import HIDDEN, optional_number, signed_number


def followup_bias_blocks(context: ReportContext) -> list[Block]:
    """A heading, a sentence, the table by domain and the findings; [] with no follow-up."""
    evaluation = context.evaluation
    bias = evaluation.followup_bias
    if bias is None or (bias.reason is not None and not bias.n_followed):
        return []
    blocks: list[Block] = [
        Heading("Who answered at follow-up"),
        Paragraph(
            "Of the people matched before and after training, those who answered again at "
            "follow-up are compared with those who did not: their scores before and after "
            "training, and how much they gained. If those who answered had gained more, "
            "follow-up results may look better than they would for everyone trained."
        ),
    ]
    if bias.reason is not None:
        blocks.append(Callout("info", f"Follow-up: {bias.reason}."))
        return blocks
    small = (
        bias.n_followed is None
        or bias.n_not_followed is None
        or context.small(bias.n_followed)
        or context.small(bias.n_not_followed)
    )
    if small:
        blocks.append(
            Callout(
                "info",
                f"Fewer than {context.min_group_size} people answered at follow-up, or did "
                "not, so the two groups are not compared (either count would give the other "
                "away).",
            )
        )
        return blocks
    labels = {d.domain.id: d.domain.label for d in evaluation.domains}
    rows: list[tuple[str, ...]] = []
    hidden = False
    for entry in bias.domains:
        counts = (entry.n_followed, entry.n_not_followed)
        if any(n is None or context.small(n) for n in counts):
            hidden = True
            rows.append((labels.get(entry.domain, entry.domain), *([HIDDEN] * 8)))
            continue
        test = entry.gain_test
        rows.append(
            (
                labels.get(entry.domain, entry.domain),
                Number(f"{entry.n_followed:,}"),
                Number(f"{entry.n_not_followed:,}"),
                optional_number(entry.mean_pre_followed),
                optional_number(entry.mean_pre_not_followed),
                optional_number(entry.mean_post_followed),
                optional_number(entry.mean_post_not_followed),
                f"{signed_number(entry.mean_gain_followed)} vs "
                f"{signed_number(entry.mean_gain_not_followed)}",
                test.apa() if test.computed else f"not computed: {test.reason}",
            )
        )
    blocks.append(
        Table(
            caption="People matched before and after training: answered at follow-up or not",
            header=(
                "Domain",
                "Answered at follow-up",
                "Did not",
                "Before: answered",
                "Before: did not",
                "After: answered",
                "After: did not",
                "Gain: answered vs did not",
                "Welch's t on the gain",
            ),
            rows=tuple(rows),
            notes=(
                "Means in score points. Gain is after minus before for each person. Welch's t "
                "compares the gains of the two groups without assuming equal spreads.",
            ),
            suppressed_note=context.suppressed_note if hidden else None,
        )
    )
    shown = [
        f
        for f in evaluation.followup_bias_findings
        if not any(
            isinstance(n, int) and context.small(n)
            for n in (f.figures.get("n_followed"), f.figures.get("n_not_followed"))
        )
    ]
    if shown:
        blocks.append(Findings(tuple((f.plain, f.statistics) for f in shown)))
    return blocks
