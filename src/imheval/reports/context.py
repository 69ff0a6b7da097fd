"""What every section builder reads: :class:`ReportContext`, the shared settings and helpers.

The context carries the evaluation and the report's smallest group size; its ``count``,
``people`` and ``too_few`` are how every section shows a number of people, so a small group is
hidden the same way everywhere. The constants here (titles, thresholds, chart limits) are those
more than one section uses; a constant only one section needs stays in that section's module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from imheval.evaluation import DomainEvaluation, Evaluation, MeanRow, TestEntry, protect_rows
from imheval.evaluation.findings import ALPHA
from imheval.reports.model import Number, Section
from imheval.reports.wording import HIDDEN, people_text
from imheval.stats import CeilingResult
from imheval.stats.items import CEILING_SHARE
from imheval.suppression import suppress

DEFAULT_TITLE = "Evaluation of infant mental health training"


#: Cohort rows drawn in one dumbbell chart; Table 1 always lists every cohort.
MAX_CHART_ROWS = 40


#: Rows listed in a chart's alt text before "and N more".
MAX_ALT_ROWS = 12


#: A domain with fewer matched people or cohorts than this is flagged as a small sample.
SMALL_PAIRS = 20


SMALL_COHORTS = 5


#: The end of every note that replaces the figures on a group too small to report.
TOO_FEW = "too few to report"


GROUPING_NAMES: Mapping[str, str] = {
    "programme": "Programme",
    "directorate": "Directorate",
    "profession": "Profession",
}


LEVEL_TITLES: Mapping[int, str] = {
    1: "Level 1: Reaction",
    2: "Level 2: Learning",
    3: "Level 3: Behaviour",
    4: "Level 4: Results",
}


#: Barr's sub-levels as the report heads them (Barr et al. 2005; BARR_LEVELS in
#: instruments.model); a domain with no Barr tag goes under :data:`NOT_TAGGED_TITLE`.
BARR_TITLES: Mapping[str, str] = {
    "2a": "Level 2a: Attitudes and perceptions",
    "2b": "Level 2b: Knowledge and skills",
    "3a": "Level 3a: Behaviour, self-reported",
    "3b": "Level 3b: Behaviour, observed",
    "4a": "Level 4a: Organisational practice",
    "4b": "Level 4b: Benefit to babies and families",
}


NOT_TAGGED_TITLE = "Not tagged with a Barr sub-level"


@dataclass(frozen=True, slots=True)
class ReportContext:
    """What every section builder reads: the evaluation and the report's settings."""

    evaluation: Evaluation
    min_group_size: int

    def small(self, n: int) -> bool:
        """True for a count that must not be shown (1 to min_group_size - 1 people)."""
        return 0 < n < self.min_group_size

    def count(self, n: int) -> Number:
        """A count of people as shown in the report ("fewer than 5" when small)."""
        return Number(f"fewer than {self.min_group_size}" if self.small(n) else f"{n:,}")

    def cell(self, n: int) -> Number:
        """A count of people as a table shows it: "hidden" when small (see :data:`HIDDEN`)."""
        return HIDDEN if self.small(n) else Number(f"{n:,}")

    def people(self, n: int) -> str:
        """A count with its noun: "1 person" never shows, "fewer than 5 people", "12 people"."""
        return people_text(n, self.min_group_size)

    def too_few(self, what: str, measured: str) -> str:
        """The note that replaces every figure on a group smaller than min_group_size:
        "Knowledge: fewer than 5 people were matched before and after training, too few to
        report."."""
        return f"{what}: fewer than {self.min_group_size} people {measured}, {TOO_FEW}."

    @property
    def suppressed_note(self) -> str:
        return (
            f"To protect small groups, figures for fewer than {self.min_group_size} people read "
            '"hidden"; where a hidden figure could be worked out from a total, or hidden ones '
            f"together would still count fewer than {self.min_group_size} people, the next "
            "smallest is hidden too."
        )

    def domains_at_level(self, level: int) -> tuple[DomainEvaluation, ...]:
        return tuple(d for d in self.evaluation.domains if d.domain.kirkpatrick_level == level)

    def barr_groups(
        self, level: int
    ) -> tuple[tuple[str | None, tuple[DomainEvaluation, ...]], ...]:
        """The domains at Kirkpatrick ``level`` grouped under their Barr sub-level, in Barr's
        order ("2a" before "2b"), untagged domains last under None; a single (None, domains)
        group when no domain at the level is tagged (the report then shows no sub-levels)."""
        domains = self.domains_at_level(level)
        tags = {d.domain.id: self.evaluation.barr_level(d.domain.id) for d in domains}
        if not any(tags.values()):
            return ((None, domains),) if domains else ()
        groups: list[tuple[str | None, tuple[DomainEvaluation, ...]]] = []
        for tag in [t for t in BARR_TITLES if t.startswith(str(level))] + [None]:
            members = tuple(d for d in domains if tags[d.domain.id] == tag)
            if members:
                groups.append((tag, members))
        return tuple(groups)

    def not_measured_at(self, level: int) -> str | None:
        """ "Not measured at this level: 3b observed behaviour." when the level was measured but
        one of its Barr sub-levels was not; None otherwise (also for untagged domains, whose
        sub-level is unknown). What :mod:`~imheval.evaluation.levels` decided, in words."""
        levels = self.evaluation.levels
        if levels is None or levels.status(str(level)).status != "measured":
            return None
        missing = [
            e.label
            for e in levels.levels
            if e.kirkpatrick_level == level and len(e.level) > 1 and e.status == "not_measured"
        ]
        if not missing:
            return None
        return "Not measured at this level: " + ", ".join(missing) + "."


#: A builder returns its section, or None when the section has nothing to say for this data.
SectionBuilder = Callable[[ReportContext], Section | None]


def stage_counts(people: pd.DataFrame) -> dict[str, int]:
    pre = people["present_pre"].to_numpy(dtype=bool)
    post = people["present_post"].to_numpy(dtype=bool)
    followup = people["present_followup"].to_numpy(dtype=bool)
    return {
        "enrolled": len(people),
        "pre": int(pre.sum()),
        "post": int(post.sum()),
        "matched": int((pre & post).sum()),
        "followup": int(followup.sum()),
    }


def protect_column(context: ReportContext, counts: Sequence[int]) -> tuple[list[str], str, bool]:
    """A column of counts of people and its total, as text, with no hidden count recoverable.

    Which counts to hide is :func:`imheval.suppression.suppress` (the one rule, decision 0003).
    A hidden count, whether small itself or hidden to protect another, and a hidden total read
    "hidden" (:data:`HIDDEN`, the one word every table uses). Returns the cells, the total's text
    and whether anything was hidden; every cell is a :class:`Number`.
    """
    decided = suppress(counts, context.min_group_size)
    cells: list[str] = [
        HIDDEN if decided.hidden[i] else Number(f"{n:,}") for i, n in enumerate(decided.counts)
    ]
    total = decided.total
    total_text = HIDDEN if decided.total_hidden else Number(f"{total:,}")
    return cells, total_text, decided.any_hidden


def protect_report_rows(
    context: ReportContext, rows: Iterable[MeanRow], not_recorded: int = 0
) -> list[MeanRow]:
    """Rows hidden at the report's group size by the same rule as in evaluate().

    The report's size can be larger than the evaluation's; rows the evaluation hid stay hidden.
    """
    return list(protect_rows(rows, context.min_group_size, not_recorded))


#: Reliability below this is called low (the usual threshold for comparing groups).
LOW_RELIABILITY = 0.70


#: Facility above this before training marks a question as too easy (issue 3, the seed).
EASY_FACILITY = 0.90


def ceiling_amount(context: ReportContext, ceiling: CeilingResult) -> str:
    # A share of a small count would give the count away: then say only "more than 15%".
    share = ceiling.share or 0.0
    if context.small(ceiling.n_at_max):
        return f"more than {100 * CEILING_SHARE:.0f}% of people"
    return f"{100 * share:.0f}% of people ({ceiling.n_at_max:,} of {ceiling.n:,})"


def significant(entry: TestEntry) -> bool:
    p = entry.p_holm if entry.p_holm is not None else entry.result.p
    return p is not None and p < ALPHA
