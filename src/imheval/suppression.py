"""Which counts of people to hide so that no small group can be seen or worked out.

The one rule for every table, chart and sentence that shows counts adding up to a published
total (a column and its total row, the cohorts of Table 1 and "All matched people", the groups
of a breakdown and its overall n, improved / no change / declined and the matched people):

1. **Primary suppression.** A count of 1 to ``min_size - 1`` people is hidden. A zero is shown:
   it is a known value (nobody is in that group), so it never counts as hiding anything.
2. **Secondary suppression.** When the total is published, the hidden counts must stay hidden
   after subtraction. A reader who knows this rule knows that a count hidden by step 1 lies
   between 1 and ``min_size - 1`` and that any other hidden count is at least ``min_size``;
   with the total they know the sum of the hidden counts. The hidden set is safe when

   * that sum is at least ``min_size``: two hidden groups of 1 and 2 people beside a shown
     total are a published group of 3 (what SDC practice calls protecting the union of the
     suppressed cells; for means it matters most: the mean of the hidden people is the
     overall mean minus the shown ones, so it must be the mean of at least ``min_size``
     people); and
   * no hidden count is pinned to one value by those bounds and the sum (a lone hidden count
     always is; so are two hidden counts of 4 when the sum is 8 and the minimum is 5; so is a
     hidden 1 beside a second hidden count of exactly ``min_size``).

   While the set is not safe, the smallest shown non-zero count is hidden too (ties: the first
   one). When no shown count is left, the total is hidden instead.

Only counts are decided here; a caller hides whatever else belongs to a hidden count (a
group's means, a share). ``min_size`` 2 is allowed but weak: "fewer than 2" can only mean 1,
which no total can make worse or better; use 3 or more to protect anyone.

Everything is pure and deterministic; :func:`suppress` returns a frozen :class:`Suppression`.
Decision 0003 (docs/decisions) explains why.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

__all__ = ["Suppression", "feasible_range", "suppress"]


@dataclass(frozen=True, slots=True)
class Suppression:
    """Which of a set of counts, and whether their total, may not be shown.

    ``hidden[i]`` is true when count ``i`` is hidden; ``primary[i]`` when it is hidden because it
    is 1 to ``min_size - 1``; a hidden count that is not primary was hidden to protect another.
    Tables show both the same way ("hidden", never a number); a sentence may say "fewer than N"
    of a primary one, never of the other.
    """

    counts: tuple[int, ...]
    min_size: int
    hidden: tuple[bool, ...]
    primary: tuple[bool, ...]
    total_hidden: bool

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def any_hidden(self) -> bool:
        """True when anything (a count or the total) is hidden: the table needs its note."""
        return any(self.hidden) or self.total_hidden

    def secondary(self, index: int) -> bool:
        """True for a count hidden only to protect another one."""
        return self.hidden[index] and not self.primary[index]


def suppress(
    counts: Sequence[int],
    min_size: int,
    *,
    hidden: Collection[int] = (),
    fixed: Collection[int] = (),
    total_published: bool = True,
) -> Suppression:
    """Decide which of ``counts`` (people per group, summing to a total) to hide.

    ``hidden``: indices the caller already hides for another reason (e.g. the same row hidden in
    another column); zeros among them stay shown. ``fixed``: indices that are never picked for
    secondary suppression (a count the caller publishes elsewhere), though they are still hidden
    when small. ``total_published=False`` when the total is not shown anywhere, so only primary
    suppression applies. Raises ValueError for a negative count or a ``min_size`` below 1.
    """
    values = tuple(int(n) for n in counts)
    if min_size < 1:
        raise ValueError("the minimum group size must be at least 1")
    if any(n < 0 for n in values):
        raise ValueError("counts of people cannot be negative")
    primary = tuple(_small(n, min_size) for n in values)
    hide = [p or (i in hidden and values[i] > 0) for i, p in enumerate(primary)]
    total = sum(values)
    total_hidden = not total_published or _small(total, min_size)
    if not total_hidden and any(hide):
        while not _safe(values, hide, primary, min_size):
            pool = [i for i, n in enumerate(values) if n > 0 and not hide[i] and i not in fixed]
            if not pool:
                total_hidden = True
                break
            hide[min(pool, key=lambda i: (values[i], i))] = True
    return Suppression(
        counts=values,
        min_size=min_size,
        hidden=tuple(hide),
        primary=primary,
        total_hidden=total_hidden,
    )


def feasible_range(result: Suppression, index: int) -> tuple[int, int | None]:
    """The values a reader who knows the rule could give hidden count ``index``.

    From the shown counts and the shown total (when it is shown) and the bounds the rule
    implies: 1 to ``min_size - 1`` for a primary count, at least ``min_size`` for a secondary
    one. ``(low, None)`` means no upper limit (the total is hidden). A shown count returns its
    value twice. Every integer in the range is possible, so a range of one value means the
    count can be worked out.
    """
    value = result.counts[index]
    if not result.hidden[index]:
        return value, value
    low, high = _bounds(result.primary[index], result.min_size)
    if result.total_hidden:
        return low, high
    others = [i for i, h in enumerate(result.hidden) if h and i != index]
    hidden_sum = sum(result.counts[i] for i in others) + value
    other_bounds = [_bounds(result.primary[i], result.min_size) for i in others]
    least_others = sum(lo for lo, _ in other_bounds)
    most_others = (
        None
        if any(hi is None for _, hi in other_bounds)
        else sum(hi or 0 for _, hi in other_bounds)
    )
    upper = hidden_sum - least_others
    lower = low if most_others is None else max(low, hidden_sum - most_others)
    return lower, upper if high is None else min(high, upper)


def _small(n: int, min_size: int) -> bool:
    return 0 < n < min_size


def _bounds(primary: bool, min_size: int) -> tuple[int, int | None]:
    return (1, min_size - 1) if primary else (min_size, None)


def _safe(
    values: Sequence[int], hide: Sequence[bool], primary: Sequence[bool], min_size: int
) -> bool:
    """The hidden set's sum is at least min_size and no hidden count is pinned by the total."""
    if sum(n for n, h in zip(values, hide, strict=True) if h) < min_size:
        return False
    trial = Suppression(tuple(values), min_size, tuple(hide), tuple(primary), False)
    for index, hidden in enumerate(hide):
        if not hidden:
            continue
        low, high = _bounds(primary[index], min_size)
        if low == high:
            continue  # "fewer than 2" is already exactly 1; no total changes that
        lower, upper = feasible_range(trial, index)
        if lower == upper:
            return False
    return True
