"""Which wrong answers people chose, and the misconception each one targets; how the questions
of each competency domain fared (issue 13).

A keyed item's wrong options each target a misconception (``KeyedItem.misconceptions``). For
evaluators, the most useful fact about a wrong option is how many people chose it before
training, and whether that fell after: it says which misunderstanding the group arrived with and
whether the training shifted it. :func:`popular_wrong_answers` gives, for each keyed question of
a domain, the wrong option chosen most often before training, with the share who chose it before
and after.

The people are those of the item analysis: matched people whose domain was measured before and
after training. At each timepoint a share is of the people asked the question (a parallel form
that does not hold it does not count), and is hidden (None) when fewer than the minimum group
size were asked. Shares are of a whole domain's matched group, not of a subgroup, like facility.

:func:`competency_facility` groups the item analysis by the competency domains the questions are
mapped to (an instrument's ``framework`` and each item's ``competencies``): the mean facility of
each competency domain's questions before and after training.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from imheval.instruments.frameworks import FRAMEWORKS
from imheval.instruments.model import Instrument, KeyedItem
from imheval.io.table import ResponseTable
from imheval.matching import MatchResult
from imheval.scoring import ItemOutcome, ScoredTable, option_codes


@dataclass(frozen=True, slots=True)
class WrongAnswer:
    """The wrong option of one question chosen most often before training.

    ``before`` and ``after`` are shares (0 to 1) of the people asked the question then, None
    when fewer than the minimum group size were asked; ``misconception`` is "" when the
    instrument names none.
    """

    item: str
    option: str
    text: str
    misconception: str
    before: float | None
    after: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "option": self.option,
            "text": self.text,
            "misconception": self.misconception,
            "chose_before": self.before,
            "chose_after": self.after,
        }


def popular_wrong_answers(
    table: ResponseTable,
    scored: ScoredTable,
    matched: MatchResult,
    instruments: Sequence[Instrument],
    domain: str,
    min_group_size: int,
) -> tuple[WrongAnswer, ...]:
    """For each keyed question of ``domain``, its most chosen wrong option before training
    (the first in option order on a tie); questions whose wrong options nobody chose, before or
    after, are left out. Empty when the data hold no answers to questions."""
    if scored.item_outcomes is None:
        return ()
    frame = table.frame
    totals = scored.frame[domain].to_numpy(dtype=float)
    pre_rows = matched.rows_at("pre")
    post_rows = matched.rows_at("post")
    both = (pre_rows >= 0) & (post_rows >= 0)
    both[both] = ~np.isnan(totals[pre_rows[both]]) & ~np.isnan(totals[post_rows[both]])
    found: list[WrongAnswer] = []
    for instrument in instruments:
        for item in instrument.items_in(domain):
            if not isinstance(item, KeyedItem) or item.id not in frame.columns:
                continue
            # each distinct answer read once, each row's answer as a code into them
            codes, options = option_codes(frame[item.id], item)
            asked = scored.item_outcomes[item.id].to_numpy() != int(ItemOutcome.OTHER_FORM)
            pre, post = pre_rows[both], post_rows[both]
            pre, post = pre[asked[pre]], post[asked[post]]
            # each option's count by its code: one pass over the people at each timepoint
            tally_pre = _tally(codes[pre], options)
            tally_post = _tally(codes[post], options)
            answer = _most_chosen(item, tally_pre, tally_post)
            if answer is not None:
                found.append(_shares(answer, tally_pre, tally_post, pre, post, min_group_size))
    return tuple(found)


def _most_chosen(
    item: KeyedItem, tally_pre: dict[str, int], tally_post: dict[str, int]
) -> WrongAnswer | None:
    """The wrong option chosen most often before training by the people asked at ``pre`` (on a
    tie, most often after; then the first in option order); None when nobody chose one."""
    wrong = [code for code in item.options if code not in item.key]
    counts = [(tally_pre.get(c, 0), tally_post.get(c, 0)) for c in wrong]
    if not any(b or a for b, a in counts):
        return None
    best = max(range(len(wrong)), key=lambda i: (counts[i][0], counts[i][1], -i))
    code = wrong[best]
    return WrongAnswer(
        item=item.id,
        option=code,
        text=item.options[code],
        misconception=item.misconceptions.get(code, ""),
        before=None,
        after=None,
    )


def _tally(codes: np.ndarray, options: np.ndarray) -> dict[str, int]:
    """How many of ``codes`` (codes into the distinct answers, -1 for a blank) chose each
    option; ``options`` is the option each distinct answer reads as ("" for none)."""
    counts = np.bincount(codes[codes >= 0], minlength=len(options))
    tally: dict[str, int] = {}
    for option, count in zip(options.tolist(), counts.tolist(), strict=True):
        tally[str(option)] = tally.get(str(option), 0) + int(count)
    return tally


def _shares(
    answer: WrongAnswer,
    tally_pre: dict[str, int],
    tally_post: dict[str, int],
    pre: np.ndarray,
    post: np.ndarray,
    min_size: int,
) -> WrongAnswer:
    """``answer`` with the share of the people asked at each timepoint who chose it (None when
    fewer than ``min_size`` were asked)."""

    def share(tally: dict[str, int], rows: np.ndarray) -> float | None:
        return float(tally.get(answer.option, 0) / len(rows)) if len(rows) >= min_size else None

    return replace(answer, before=share(tally_pre, pre), after=share(tally_post, post))


@dataclass(frozen=True, slots=True)
class CompetencyFacility:
    """How the questions mapped to one competency domain fared: the mean facility of those
    questions before and after training (None where no question of it has one).

    ``framework`` and ``competency`` are ids (see :mod:`imheval.instruments.frameworks`);
    ``label`` is the competency domain's name; ``items`` the questions mapped to it.
    """

    framework: str
    competency: str
    label: str
    items: tuple[str, ...]
    before: float | None
    after: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "competency": self.competency,
            "label": self.label,
            "items": list(self.items),
            "facility_before": self.before,
            "facility_after": self.after,
        }


def competency_facility(
    instruments: Sequence[Instrument],
    domain: str,
    facilities: dict[str, tuple[float | None, float | None]],
) -> tuple[CompetencyFacility, ...]:
    """Per competency domain the questions of ``domain`` are mapped to (in the framework's
    order), the mean of those questions' facilities before and after training.

    ``facilities`` holds each question's (facility before, facility after), from the item
    analysis (or each form's); a question may count towards several competency domains.
    """
    found: list[CompetencyFacility] = []
    for instrument in instruments:
        framework = FRAMEWORKS.get(instrument.framework)
        if framework is None:
            continue
        items = [i for i in instrument.items_in(domain) if i.competencies and i.id in facilities]
        for competency in framework.domains:
            mapped = tuple(i.id for i in items if competency.id in i.competencies)
            if not mapped:
                continue
            found.append(
                CompetencyFacility(
                    framework=framework.id,
                    competency=competency.id,
                    label=competency.label,
                    items=mapped,
                    before=mean_of_known([facilities[i][0] for i in mapped]),
                    after=mean_of_known([facilities[i][1] for i in mapped]),
                )
            )
    return tuple(found)


def mean_of_known(values: Sequence[float | None]) -> float | None:
    """The mean of the values that are not None; None when none is."""
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None
