"""What a board pack reports besides coverage: places funded and used, and each programme's
outcome, as plain values (the web app fills them from its tables; the report reads them).

An outcome's figures come from the evaluation engine, already suppressed: a figure that is None
was hidden (fewer than 5 people) or not measured, and ``sentence`` says which in words.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DELIVERY_PLAN_ACTIONS", "OutcomeLine", "PlacesLine", "financial_year"]

#: The delivery-plan actions a board pack reports against (seed 004's programme board plan).
DELIVERY_PLAN_ACTIONS = ("Training and workforce development", "Evaluation of impact")


def financial_year(year: int) -> str:
    """'2026/27' for the year starting in April 2026."""
    return f"{year}/{(year + 1) % 100:02d}"


@dataclass(frozen=True, slots=True)
class PlacesLine:
    """A programme's places in one financial year (``year`` 2026 is April 2026 to March 2027).

    ``funded`` and ``offered`` are None when nobody recorded them; ``taken`` is the people on
    the register of the year's cohorts and ``completed`` those of them who completed.
    ``by_profession`` is (profession, taken, completed) for each profession that took places.
    """

    programme: str
    level: str
    funder: str
    year: int
    funded: int | None
    offered: int | None
    taken: int
    completed: int
    by_profession: tuple[tuple[str, int, int], ...] = ()

    @property
    def used_percent(self) -> float | None:
        """Places taken as a share of places funded (None without funded places)."""
        return 100 * self.taken / self.funded if self.funded else None

    @property
    def completed_percent(self) -> float | None:
        """People who completed as a share of people who took a place."""
        return 100 * self.completed / self.taken if self.taken else None


@dataclass(frozen=True, slots=True)
class OutcomeLine:
    """Whether a programme worked, as its evaluation found: the matched change in its main
    measure, the effect size by its type with its confidence interval, follow-up retention and
    the Kirkpatrick levels measured. ``completed`` counts people who completed the programme
    (from the register); ``matched`` people who answered before and after (None: fewer than 5,
    hidden). ``sentence`` is the plain-English finding shown beside the numbers."""

    programme: str
    level: str
    completed: int
    matched: int | None
    measure: str
    change: float | None
    effect_label: str
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    followup_matched: int | None
    kirkpatrick: tuple[int, ...]
    sentence: str

    @property
    def retention_percent(self) -> float | None:
        """People matched at follow-up as a share of those matched before and after."""
        if self.matched and self.followup_matched is not None:
            return 100 * self.followup_matched / self.matched
        return None
