"""Kirkpatrick level 1: reaction, the post-training-only questionnaires."""

from __future__ import annotations

from imheval.evaluation import DomainEvaluation
from imheval.reports.context import LEVEL_TITLES, ReportContext
from imheval.reports.model import Block, Callout, Heading, Number, Paragraph, Section, Table
from imheval.reports.wording import HIDDEN, score
from imheval.suppression import suppress


def reaction_section(context: ReportContext) -> Section:
    """Level 1: satisfaction domains where the instrument has them, else "not measured"."""
    domains = context.domains_at_level(1)
    title = LEVEL_TITLES[1]
    if not domains:
        return Section(
            "level-1",
            title,
            1,
            (
                Callout("info", "Not measured: the questionnaire has no reaction items."),
                Paragraph(
                    "What would measure it: a short reaction questionnaire at the end of each "
                    "session, asking how relevant the training was to the participant's work, "
                    "how confident they feel to apply it, and whether they would recommend it "
                    "to a colleague (each rated, for example, 1 to 5)."
                ),
            ),
        )
    blocks: list[Block] = [
        Paragraph(
            "Reaction is usually asked once, at the end of training, so it is summarised from "
            "the post-test answers of everyone who gave them (matched or not)."
        )
    ]
    for domain in domains:
        blocks.append(Heading(domain.domain.label))
        blocks.append(_post_only_table(context, domain))
    return Section("level-1", title, 1, tuple(blocks))


def _post_only_table(context: ReportContext, domain: DomainEvaluation) -> Table:
    info = domain.domain
    frame = context.evaluation.scored.frame
    at_post = frame[(frame["timepoint"] == "post") & frame[info.id].notna()]
    rows: list[tuple[str, str, str]] = []
    hidden = False
    groups = at_post.groupby("programme", sort=True)[info.id]
    entries = [(str(label) or "Not recorded", values) for label, values in groups]
    # The overall mean and n are shown: hidden groups must not be recoverable from them.
    decided = suppress([len(values) for _, values in entries], context.min_group_size)
    for index, (label, values) in enumerate(entries):
        if decided.hidden[index]:
            hidden = True
            rows.append((label, HIDDEN, HIDDEN))
        else:
            mean = float(values.mean())
            count = Number(f"{len(values):,}")
            rows.append((label, count, score(mean, info.percent_of_maximum(mean))))
    if len(at_post):
        mean = float(at_post[info.id].mean())
        count = Number(f"{len(at_post):,}")
        rows.append(("All", count, score(mean, info.percent_of_maximum(mean))))
    return Table(
        caption=f"{info.label}: mean score at the end of training, by programme",
        header=("Programme", "People", "Mean (% of possible range)"),
        rows=tuple(rows),
        suppressed_note=context.suppressed_note if hidden else None,
    )
