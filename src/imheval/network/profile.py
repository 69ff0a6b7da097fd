"""The member profile table (seed 002's Table 2): who is in a group, with small groups hidden.

:func:`profile_table` turns people's answers to a profile questionnaire
(:mod:`imheval.instruments.profile`) into a frozen :class:`ProfileTable`: for each choice
question, n and % per category (the % is of the people who answered that question); for each
number question, n, mean and range. A network group of 7 puts almost every count under the
small-group threshold, so every count goes through :func:`imheval.suppression.suppress`, the
same rule as every other table:

* each question splits the people who returned the questionnaire into its categories and
  "did not answer"; that split is one set of counts with a published total (n), so a count of 1
  to ``min_cell - 1`` is hidden, and so is whatever would let it be worked out by subtraction
  (zeros are shown: nobody is in them). Percentages are hidden with their counts, and the
  question's n with its "did not answer" count.
* each category of a ``multiple`` question (tick all that apply) is its own split: the people
  who ticked it, the people who answered but did not, and those who did not answer. A
  single-choice question whose counts do not add up to the people who answered it (someone gave
  two answers, as in seed 002, where Discipline adds up to 8 for 7 people) is flagged and
  treated the same way, because its counts no longer split the people.
* a number question's mean is shown only when at least ``min_cell`` people answered it; its
  range only when at least ``min_cell`` people gave the lowest value and at least ``min_cell``
  the highest, because otherwise each end is one person's answer (docs/decisions/
  0014-profile-ranges.md).

``collapse`` merges categories before suppression ({question id: {new label: [codes]}}), so a
facilitator can trade detail for figures that can be shown. The table lists, in plain words,
what was hidden and why. Nothing is rounded here: percentages and means are full precision.

Answers are never linked to members or the register: the table takes only the answers, and
optionally the register's months of membership as a separate list of numbers (a last row).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Literal

from imheval.instruments.profile import ChoiceQuestion, NumberQuestion, Profile
from imheval.suppression import suppress

__all__ = [
    "DEFAULT_MIN_CELL",
    "MEMBERSHIP_MONTHS",
    "Collapse",
    "ProfileQuestionSummary",
    "ProfileRow",
    "ProfileTable",
    "check_collapse",
    "profile_table",
]

#: The small-group threshold: the same as the evaluation's (``EvaluationOptions.min_group_size``;
#: a test keeps the two equal). The network package cannot import the evaluation package.
DEFAULT_MIN_CELL = 5

#: Merged categories: {question id: {new label: [option codes]}}.
Collapse = Mapping[str, Mapping[str, Sequence[str]]]

RowKind = Literal["category", "number"]

#: The register's months of membership, presented as a number question would be.
MEMBERSHIP_MONTHS = NumberQuestion(
    kind="number",
    id="membership_months",
    text="Months of membership",
    label="Months of membership (from the register)",
    min=0,
    max=1200,
    unit="months",
)


@dataclass(frozen=True, slots=True)
class ProfileRow:
    """One row of the table: a category of a choice question, or a number question's summary.

    ``n`` is the people in the category (or who answered the number question); ``percent`` is
    0 to 100 of the people who answered the question. Each is None when hidden. ``mean``,
    ``minimum`` and ``maximum`` belong to number rows (None when hidden or not applicable).
    ``codes`` are the option codes the category holds (several when merged).
    """

    question_id: str
    question: str
    kind: RowKind
    category: str | None
    codes: tuple[str, ...]
    n: int | None
    percent: float | None
    mean: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    unit: str = ""
    hidden: bool = False
    range_hidden: bool = False
    multiple: bool = False
    merged: bool = False


@dataclass(frozen=True, slots=True)
class ProfileQuestionSummary:
    """A question as a whole: how many answered it (None when hidden) and its flags."""

    question_id: str
    question: str
    kind: Literal["choice", "number"]
    multiple: bool
    answered: int | None
    #: A single-choice question whose counts do not add up to the people who answered it.
    counts_exceed_answers: bool = False


@dataclass(frozen=True, slots=True)
class ProfileTable:
    """The profile table: its rows in question order, and what was hidden and why."""

    profile_id: str
    profile_version: str
    #: People who returned the questionnaire (None when fewer than ``min_cell``).
    n: int | None
    min_cell: int
    rows: tuple[ProfileRow, ...]
    questions: tuple[ProfileQuestionSummary, ...]
    #: Plain-English sentences: what was hidden, and why.
    hidden: tuple[str, ...]
    #: Plain-English warnings about the answers (counts that do not add up, answers left out).
    flags: tuple[str, ...]

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden)

    def rows_for(self, question_id: str) -> tuple[ProfileRow, ...]:
        return tuple(row for row in self.rows if row.question_id == question_id)


def check_collapse(profile: Profile, collapse: Collapse) -> dict[str, dict[str, list[str]]]:
    """``collapse`` checked against ``profile``, as plain dicts in the options' order.

    Raises ValueError naming the question and the problem: a question the profile does not
    have, a number question, a code that is not one of its options, a code in two merged
    categories, a merged category with fewer than two codes or a blank label.
    """
    checked: dict[str, dict[str, list[str]]] = {}
    for question_id, groups in collapse.items():
        try:
            question = profile.question(question_id)
        except KeyError:
            raise ValueError(f"merging categories: there is no question '{question_id}'") from None
        name = question.table_label
        if isinstance(question, NumberQuestion):
            raise ValueError(f"merging categories: {name} is a number, it has no categories")
        used: dict[str, str] = {}
        merged: dict[str, list[str]] = {}
        for label, codes in groups.items():
            label = str(label).strip()
            if not label:
                raise ValueError(f"merging categories of {name}: a merged category needs a name")
            wrong = [code for code in codes if code not in question.options]
            if wrong:
                raise ValueError(
                    f"merging categories of {name}: {', '.join(wrong)} is not one of its options"
                )
            if len(set(codes)) < 2:
                raise ValueError(
                    f"merging categories of {name}: '{label}' needs at least two categories"
                )
            for code in codes:
                if code in used:
                    raise ValueError(
                        f"merging categories of {name}: '{question.options[code]}' is in both "
                        f"'{used[code]}' and '{label}'"
                    )
                used[code] = label
            merged[label] = [code for code in question.options if code in set(codes)]
        if merged:
            checked[question_id] = merged
    return checked


def profile_table(
    profile: Profile,
    answers: Sequence[Mapping[str, object]],
    *,
    min_cell: int = DEFAULT_MIN_CELL,
    collapse: Collapse | None = None,
    membership_months: Sequence[int] | None = None,
) -> ProfileTable:
    """The profile table of ``answers`` (one mapping {question id: answer} per person).

    Answers are read as :func:`~imheval.instruments.profile.clean_answers` keeps them: an
    option code, a list of codes, or a number. An answer that is not one of the question's
    options, or a number outside its range, is left out of that question and counted in
    :attr:`ProfileTable.flags`; a list given to a single-choice question counts every code in
    it (and the question is flagged when its counts exceed the people who answered). Raises
    ValueError for a ``min_cell`` below 1 or a ``collapse`` that does not fit (see
    :func:`check_collapse`).

    ``membership_months`` adds a last row, "Months of membership (from the register)": the
    whole months each current member has belonged (``imheval.network.retention``:
    ``[m.months for m in retention(...).months if m.current]``), shown as n and mean (range)
    under the same rule as a number question, its n being the members. They are aggregates of
    the register only: nothing joins them to anyone's answers.

    Examples
    --------
    >>> from imheval.instruments.profile import get_builtin_profile
    >>> profile = get_builtin_profile("imh-network-profile")
    >>> table = profile_table(profile, [{"own_children": "yes"}] * 6 + [{"own_children": "no"}])
    >>> [(row.category, row.n) for row in table.rows_for("own_children")]
    [('Yes', None), ('No', None), ('Prefer not to say', 0)]
    """
    if min_cell < 1:
        raise ValueError("the smallest group that may be shown must be at least 1 person")
    merged = check_collapse(profile, collapse or {})
    people = len(answers)
    builder = _Builder(people, min_cell)
    for question in profile.questions:
        if isinstance(question, NumberQuestion):
            builder.number(question, [a.get(question.id) for a in answers])
        else:
            builder.choice(question, [a.get(question.id) for a in answers], merged.get(question.id))
    if membership_months is not None:
        register = _Builder(len(membership_months), min_cell)
        register.counted = "current members are in the register"
        register.number(MEMBERSHIP_MONTHS, list(membership_months))
        builder.rows.extend(register.rows)
        builder.questions.extend(register.questions)
        builder.hidden.extend(register.hidden)
        builder.flags.extend(register.flags)
    n_shown = people if not 0 < people < min_cell else None
    hidden = builder.hidden
    if n_shown is None:
        hidden = [
            f"Fewer than {min_cell} people have answered, so every count is hidden "
            "(zeros are shown: nobody gave that answer).",
            *hidden,
        ]
    return ProfileTable(
        profile_id=profile.id,
        profile_version=profile.version,
        n=n_shown,
        min_cell=min_cell,
        rows=tuple(builder.rows),
        questions=tuple(builder.questions),
        hidden=tuple(hidden),
        flags=tuple(builder.flags),
    )


def _blank(value: object) -> bool:
    return value is None or value == "" or value == []


class _Builder:
    """Collects rows, question summaries and plain-English notes, one question at a time."""

    def __init__(self, people: int, min_cell: int) -> None:
        self.people = people
        self.min_cell = min_cell
        #: Who a number's n counts, for the note when it is too small.
        self.counted = "people answered"
        self.rows: list[ProfileRow] = []
        self.questions: list[ProfileQuestionSummary] = []
        self.hidden: list[str] = []
        self.flags: list[str] = []

    def _answered(self, answered: int) -> tuple[int | None, bool]:
        """The question's n as shown, and whether "did not answer" had to be hidden."""
        split = suppress([answered, self.people - answered], self.min_cell)
        shown = None if split.hidden[0] or split.total_hidden else answered
        return shown, split.hidden[1]

    def choice(
        self,
        question: ChoiceQuestion,
        values: Sequence[object],
        merged: Mapping[str, Sequence[str]] | None,
    ) -> None:
        label = question.table_label
        categories = _categories(question, merged or {})
        chosen: list[set[str]] = []
        invalid = 0
        for value in values:
            if _blank(value):
                chosen.append(set())
                continue
            codes = [value] if isinstance(value, str) else value
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                invalid += 1
                chosen.append(set())
                continue
            good = {c for c in codes if c in question.options}
            if len(good) != len(codes):
                invalid += 1
                good = set()
            chosen.append(good)
        answered = sum(1 for codes in chosen if codes)
        # Counts per category: people, so a person counts once in a merged category.
        counts = [
            sum(1 for codes in chosen if codes & set(members)) for _, members, _ in categories
        ]
        exceeds = not question.multiple and sum(counts) > answered
        if invalid:
            self.flags.append(
                f"{label}: {_people(invalid, self.min_cell)} gave an answer that is not one "
                "of the question's options; those answers are left out."
            )
        shown_answered, did_not_answer_hidden = self._answered(answered)
        if question.multiple or exceeds:
            decisions = [
                suppress([count, answered - count, self.people - answered], self.min_cell)
                for count in counts
            ]
            hidden = [
                d.hidden[0] or (d.total_hidden and count > 0)
                for d, count in zip(decisions, counts, strict=True)
            ]
            primary = [d.primary[0] for d in decisions]
        else:
            decision = suppress([*counts, self.people - answered], self.min_cell)
            hidden = [
                h or (decision.total_hidden and count > 0)
                for h, count in zip(decision.hidden[:-1], counts, strict=True)
            ]
            primary = list(decision.primary[:-1])
            # The question's n is published beside its categories: when the split hid the
            # "did not answer" count, n must go too.
            if decision.hidden[-1]:
                shown_answered, did_not_answer_hidden = None, True
        if exceeds:
            totals = (
                f" ({sum(counts)} for {answered} people)"
                if not any(hidden) and shown_answered is not None
                else ""
            )
            self.flags.append(
                f"{label}: the counts add up to more than the people who answered{totals}. "
                "It asks for one answer, so someone gave more than one or the data are wrong; "
                "its percentages add up to more than 100%."
            )
        for (category, members, is_merged), count, is_hidden in zip(
            categories, counts, hidden, strict=True
        ):
            shown_count = None if is_hidden else count
            percent = (
                100 * count / answered
                if shown_count is not None and shown_answered is not None and answered
                else None
            )
            self.rows.append(
                ProfileRow(
                    question_id=question.id,
                    question=label,
                    kind="category",
                    category=category,
                    codes=tuple(members),
                    n=shown_count,
                    percent=percent,
                    hidden=is_hidden,
                    multiple=question.multiple or exceeds,
                    merged=is_merged,
                )
            )
        self.questions.append(
            ProfileQuestionSummary(
                question_id=question.id,
                question=label,
                kind="choice",
                multiple=question.multiple,
                answered=shown_answered,
                counts_exceed_answers=exceeds,
            )
        )
        self._explain(label, hidden, primary, did_not_answer_hidden and answered > 0)

    def number(self, question: NumberQuestion, values: Sequence[object]) -> None:
        label = question.table_label
        numbers: list[float] = []
        invalid = 0
        for value in values:
            if _blank(value):
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                invalid += 1
                continue
            number = float(value)
            if not question.min <= number <= question.max:
                invalid += 1
                continue
            numbers.append(number)
        if invalid:
            self.flags.append(
                f"{label}: {_people(invalid, self.min_cell)} gave an answer that is not a "
                f"number from {question.min:g} to {question.max:g}; those answers are left out."
            )
        answered = len(numbers)
        shown_answered, did_not_answer_hidden = self._answered(answered)
        enough = answered >= self.min_cell
        low, high = (min(numbers), max(numbers)) if numbers else (None, None)
        ends_shared = (
            enough
            and numbers.count(min(numbers)) >= self.min_cell
            and numbers.count(max(numbers)) >= self.min_cell
        )
        self.rows.append(
            ProfileRow(
                question_id=question.id,
                question=label,
                kind="number",
                category=None,
                codes=(),
                n=shown_answered,
                percent=None,
                mean=fmean(numbers) if enough else None,
                minimum=low if ends_shared else None,
                maximum=high if ends_shared else None,
                unit=question.unit,
                hidden=not enough and answered > 0,
                range_hidden=answered > 0 and not ends_shared,
            )
        )
        self.questions.append(
            ProfileQuestionSummary(
                question_id=question.id,
                question=label,
                kind="number",
                multiple=False,
                answered=shown_answered,
            )
        )
        if 0 < answered < self.min_cell:
            self.hidden.append(
                f"{label}: the average and range are hidden because fewer than {self.min_cell} "
                f"{self.counted}."
            )
        elif answered and not ends_shared:
            self.hidden.append(
                f"{label}: the range (lowest to highest) is hidden because the lowest or the "
                f"highest answer was given by fewer than {self.min_cell} people, so it would "
                "show one person's answer."
            )
        if did_not_answer_hidden and answered > 0:
            self.hidden.append(
                f"{label}: the number who answered is hidden because fewer than "
                f"{self.min_cell} people left the question out."
            )

    def _explain(
        self, label: str, hidden: Sequence[bool], primary: Sequence[bool], n_hidden: bool
    ) -> None:
        small = sum(1 for h, p in zip(hidden, primary, strict=True) if h and p)
        protecting = sum(1 for h, p in zip(hidden, primary, strict=True) if h and not p)
        parts: list[str] = []
        if small:
            parts.append(
                f"{_categories_text(small)} hidden because fewer than {self.min_cell} people "
                "gave that answer"
            )
        if protecting:
            parts.append(
                f"{_categories_text(protecting)} hidden so that a hidden count cannot be worked "
                "out by subtraction"
            )
        if n_hidden:
            parts.append(
                f"the number who answered is hidden because fewer than {self.min_cell} people "
                "left the question out"
            )
        if parts:
            sentence = "; ".join(parts)
            hint = (
                " Merging categories may let more be shown."
                if small and len(hidden) > 2 and small < len(hidden)
                else ""
            )
            self.hidden.append(f"{label}: {sentence}.{hint}")


def _categories(
    question: ChoiceQuestion, merged: Mapping[str, Sequence[str]]
) -> list[tuple[str, list[str], bool]]:
    """(label, codes, merged) per category, in the options' order; a merged one where its first
    code was."""
    first_of: dict[str, str] = {}
    for label, codes in merged.items():
        first_of[next(code for code in question.options if code in codes)] = label
    in_merged = {code for codes in merged.values() for code in codes}
    categories: list[tuple[str, list[str], bool]] = []
    for code, text in question.options.items():
        if code in first_of:
            label = first_of[code]
            categories.append((label, list(merged[label]), True))
        elif code not in in_merged:
            categories.append((text, [code], False))
    return categories


def _categories_text(count: int) -> str:
    return "1 category is" if count == 1 else f"{count} categories are"


def _people(count: int, min_cell: int) -> str:
    """A count of people in a note: "fewer than 5 people" when small, never "1 person"."""
    return f"fewer than {min_cell} people" if count < min_cell else f"{count} people"
