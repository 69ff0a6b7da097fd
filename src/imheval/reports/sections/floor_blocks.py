"""Floor warnings of a domain's item analysis, shown beside its ceiling warnings.

The mirror of :func:`~imheval.reports.sections.deeper.ceiling_warnings`: more than 15% of
people at the minimum possible total (Terwee et al. 2007), and right/wrong questions that fewer
than 10% answered correctly after training. A share of a small count is not given.
"""

from __future__ import annotations

from imheval.findings.wording import join_and
from imheval.reports.context import ReportContext
from imheval.reports.wording import percent_text
from imheval.stats import ItemAnalysis
from imheval.stats.items import CEILING_SHARE, FLOOR_ADVICE, HARD_ITEM_FACILITY, FloorResult


def floor_warnings(context: ReportContext, items: ItemAnalysis) -> list[str]:
    """The floor flags of a domain in plain English, each with its advice."""
    texts: list[str] = []
    for when, floor in (("before", items.floor_pre), ("after", items.floor_post)):
        if floor is None or not floor.flagged or floor.share is None:
            continue
        advice = (
            f"The questions are {FLOOR_ADVICE}."
            if when == "after"
            else "The questions cannot tell apart the people who started lowest; if they were "
            "meant to be answerable before training, check the key."
        )
        texts.append(
            f"Floor effect {when} training: {_amount(context, floor)} scored the minimum "
            f"possible ({floor.minimum:g}). {advice}"
        )
    hard = [s for s in items.items if s.too_hard and s.facility_post is not None]
    if hard:
        listed = join_and([f"{s.item} ({percent_text(s.facility_post)})" for s in hard])
        texts.append(
            f"Answered correctly by fewer than {100 * HARD_ITEM_FACILITY:.0f}% of people after "
            f"training: {listed}. {FLOOR_ADVICE.capitalize()}."
        )
    return texts


def _amount(context: ReportContext, floor: FloorResult) -> str:
    if context.small(floor.n_at_min):
        return f"more than {100 * CEILING_SHARE:.0f}% of people"
    return (
        f"{100 * (floor.share or 0.0):.0f}% of people ({floor.n_at_min:,} of {floor.n:,}), "
        f"more than {100 * CEILING_SHARE:.0f}%"
    )
