"""Rows of the mean tables, their protection, and Holm adjustment by family.

:func:`mean_row` builds one :class:`~imheval.evaluation.results.MeanRow` (hidden when the group
is small); :func:`protect_rows` hides every further row :func:`imheval.suppression.suppress`
hides; :func:`holm_by_family` adjusts p across domains within each family of tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from imheval.evaluation.results import MeanRow, TestEntry
from imheval.scoring import DomainInfo
from imheval.stats import holm
from imheval.suppression import suppress


def protect_rows(
    rows: Iterable[MeanRow], min_group_size: int, not_recorded: int = 0
) -> tuple[MeanRow, ...]:
    """The rows with every one hidden that :func:`imheval.suppression.suppress` hides.

    The rows' n, with ``not_recorded`` (people in none of the rows, whose count is published),
    add up to the overall n, and the overall mean is published: a hidden row's n and mean
    could be worked out from them unless the hidden rows together pass the rule (at least two,
    at least ``min_group_size`` people, no n pinned). A hidden row keeps only its label,
    programme and n (never published: see :meth:`MeanRow.to_dict`).
    """
    rows = list(rows)
    counts = [row.n for row in rows] + [not_recorded]
    decided = suppress(
        counts,
        min_group_size,
        hidden=[i for i, row in enumerate(rows) if row.suppressed],
        fixed=[len(rows)],
    )
    return tuple(
        MeanRow(label=row.label, n=row.n, programme=row.programme, suppressed=True) if hide else row
        for row, hide in zip(rows, decided.hidden, strict=False)
    )


def mean_row(
    info: DomainInfo,
    label: str,
    n: int,
    pre_mean: float | None,
    post_mean: float | None,
    difference_sd: float | None,
    programme: str,
    min_group_size: int,
) -> MeanRow:
    if 0 < n < min_group_size:
        return MeanRow(label=label, n=n, programme=programme, suppressed=True)
    if pre_mean is None or post_mean is None:
        return MeanRow(label=label, n=n, programme=programme)
    difference = post_mean - pre_mean
    pre_percent = info.percent_of_maximum(pre_mean)
    post_percent = info.percent_of_maximum(post_mean)
    difference_percent = (
        post_percent - pre_percent if pre_percent is not None and post_percent is not None else None
    )
    return MeanRow(
        label=label,
        n=n,
        programme=programme,
        pre_mean=pre_mean,
        post_mean=post_mean,
        difference=difference,
        difference_sd=difference_sd,
        pre_percent=pre_percent,
        post_percent=post_percent,
        difference_percent=difference_percent,
    )


def holm_by_family(entries: Sequence[TestEntry]) -> dict[int, float | None]:
    """Holm-adjust p across domains within each family (unit, comparison, kind of test).

    A Welch t (two groups) and a Welch ANOVA (three or more) answer the same question, so they
    share a family. Shapiro-Wilk is an assumption check, not a finding, so it is not adjusted.
    """
    families: dict[tuple[str, str, str], list[TestEntry]] = {}
    for entry in entries:
        if entry.result.test == "shapiro_wilk":
            continue
        families.setdefault(entry.family, []).append(entry)
    adjusted: dict[int, float | None] = {}
    for members in families.values():
        for entry, p in zip(members, holm([e.result.p for e in members]), strict=True):
            adjusted[id(entry)] = p
    return adjusted
