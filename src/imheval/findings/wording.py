"""Wording shared by the findings, the report and the terminal.

Numbers are rounded here, for presentation, and nowhere earlier. Counts of people go through
:func:`people` so "1 person" never reads "1 people".
"""

from __future__ import annotations

from collections.abc import Sequence

from imheval.stats import TestResult
from imheval.stats.apa import format_effect, format_number

DASH = "–"
#: The advice when a question or a domain is too easy (issue 3, the seed).
TOO_EASY = "too easy to show change; add harder items"


def people(n: int) -> str:
    """ "1 person", "12 people", "1,200 people"."""
    return f"{n:,} {'person' if n == 1 else 'people'}"


def were(n: int) -> str:
    """The verb after :func:`people`: "1 person was", "12 people were"."""
    return "was" if n == 1 else "were"


def plural(n: int) -> str:
    """ "s" unless n is 1: f"{n} cohort{plural(n)}"."""
    return "" if n == 1 else "s"


def join_or(words: Sequence[str]) -> str:
    """ "a", "a or b", "a, b or c"."""
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def join_and(words: Sequence[str]) -> str:
    """ "", "a", "a and b", "a, b and c"."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def score(mean: float | None, percent: float | None) -> str:
    """A mean score with its percentage of the range: "5.20 (52%)"."""
    if mean is None:
        return "not shown"
    return f"{mean:.2f}" + (f" ({percent:.0f}%)" if percent is not None else "")


def signed(value: float | None, places: int = 2) -> str:
    """ "+1.90", "-0.25"; "unknown" for None."""
    if value is None:
        return "unknown"
    return f"{value:+.{places}f}"


def bounded(value: float) -> str:
    """A correlation-type value with its relation sign, APA style without the leading zero:
    "= .26", and "> .99" rather than a misleading "= 1.00"."""
    if 0.995 <= abs(value) < 1:
        return "> .99" if value > 0 else "< -.99"
    return "= " + format_number(value, bounded=True)


def apa_bounded(value: float) -> str:
    """A number that cannot exceed 1 in APA style, without the leading zero: .65, -.12."""
    return format_number(value, bounded=True)


def size_word(d: float) -> str:
    """Cohen's (1988) conventional labels; d_z is not comparable with between-group d."""
    size = abs(d)
    if size < 0.2:
        return "a negligible"
    if size < 0.5:
        return "a small"
    if size < 0.8:
        return "a medium"
    return "a large"


def effect_text(result: TestResult) -> str:
    """Every effect size of a test, named by type, with its 95% CI where it has one."""
    # In a one-way ANOVA eta squared and partial eta squared are one number: show it once.
    duplicate = "eta_squared" if result.effect("partial_eta_squared") is not None else None
    texts = [format_effect(e) for e in result.effect_sizes if e.name != duplicate]
    return "\n".join(texts) if texts else DASH


def direction_text(result: TestResult) -> str:
    """Which way a two-group test subtracts, "Adult services minus Children's services";
    "" for a test of any other kind, or one that could not be run."""
    if not result.computed or result.groups is None:
        return ""
    return f"{result.groups[0]} minus {result.groups[1]}"
