"""What an answer typed from a paper form, or read from a file, may be: one rule per item.

Keyed entry and file import both turn text into the stored answer through :class:`AnswerRule`,
so a form keyed by hand and the same form in a spreadsheet give the same response. Questions are
numbered as on the online questionnaire and the printed form (capture's ``question_pages``).
Profession and directorate are typed as the number printed beside the ticked box.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from imheval.instruments import Instrument
from imheval.instruments.model import OpenItem, RatingItem
from imheval.web.capture.codes import (
    CODE_EXAMPLE,
    CODE_LENGTH,
    CODE_PARTS,
    DIRECTORATES,
    PROFESSIONS,
    check_part,
    fold,
)
from imheval.web.capture.journey import QuestionPage, question_pages

_WHOLE_NUMBER = re.compile(r"[+-]?\d+(?:\.0*)?")


def _or_list(values: Sequence[str]) -> str:
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + f" or {values[-1]}"


@dataclass(frozen=True)
class AnswerRule:
    """The allowed answers of one item, and how typed text becomes the stored answer.

    ``choices`` holds (stored value, label) pairs: option codes for keyed items, whole numbers
    for rating items, none for an open question. ``scale`` is (min, max) for a rating item, else
    None. ``max_length`` is the longest answer an open question takes, None for other items.
    """

    number: int
    item_id: str
    text: str
    domain: str
    choices: tuple[tuple[str, str], ...]
    scale: tuple[int, int] | None = None
    max_length: int | None = None

    @property
    def is_open(self) -> bool:
        """An open question: the answer is the text written, typed in as it is."""
        return self.max_length is not None

    @property
    def name(self) -> str:
        """The question as messages name it: "Question 3 (K3)"."""
        return f"Question {self.number} ({self.item_id})"

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.choices)

    @property
    def allowed(self) -> str:
        """The allowed answers in words, e.g. "a, b, c or d" or "a whole number from 1 to 5"."""
        if self.max_length is not None:
            return f"the words written, up to {self.max_length:,} characters"
        if self.scale is not None:
            return f"a whole number from {self.scale[0]} to {self.scale[1]}"
        return _or_list(self.codes)

    @property
    def hint(self) -> str:
        """The allowed answers in a few characters, for a compact entry box."""
        if self.max_length is not None:
            return f"The words written, up to {self.max_length:,} characters"
        if self.scale is not None:
            return f"{self.scale[0]} to {self.scale[1]}"
        codes = self.codes
        if len(codes) > 2 and all(len(code) == 1 for code in codes):
            return f"{codes[0]} to {codes[-1]}"
        return " or ".join(codes) if len(codes) == 2 else ", ".join(codes)

    @property
    def width(self) -> int:
        """Characters the entry box needs: 2 for letters and numbers, more for words (30, a
        whole line, for an open question's text)."""
        if self.max_length is not None:
            return 30
        return max(2, min(5, max(len(code) for code in self.codes)))

    def parse(self, typed: str) -> str:
        """The stored answer for ``typed`` ("" for a blank).

        Accepts an option's code (a, yes), its text as printed, or for a rating its whole
        number or label, ignoring case and surrounding spaces; for keyed items also the start of
        exactly one code ("y" for yes). An open question's answer is the text itself, line
        breaks as one character each. Raises ValueError saying what is allowed.
        """
        if self.max_length is not None:
            return self._parse_text(typed)
        text = typed.strip()
        if not text:
            return ""
        folded = text.casefold()
        by_code = {code.casefold(): code for code in self.codes}
        if folded in by_code:
            return by_code[folded]
        if self.scale is not None and _WHOLE_NUMBER.fullmatch(text):
            value = int(text.split(".")[0])
            if self.scale[0] <= value <= self.scale[1]:
                return str(value)
        by_label = {label.strip().casefold(): code for code, label in self.choices}
        if folded in by_label:
            return by_label[folded]
        if self.scale is None:
            starting = [code for code in self.codes if code.casefold().startswith(folded)]
            if len(starting) == 1:
                return starting[0]
        raise ValueError(
            f"'{text}' is not one of the answers: use {self.allowed}, or leave it blank"
        )

    def _parse_text(self, typed: str) -> str:
        assert self.max_length is not None  # only called for open questions
        text = typed.replace("\r\n", "\n").replace("\r", "\n").strip()
        if "\x00" in text:
            raise ValueError("the answer has a character that cannot be saved; type it again")
        if len(text) > self.max_length:
            raise ValueError(
                f"the answer is {len(text):,} characters; type at most {self.max_length:,}"
            )
        return text


def answer_rules(
    instruments: list[Instrument], forms: Mapping[str, str] | None = None
) -> list[AnswerRule]:
    """One rule per item (open questions too), numbered and ordered as the questionnaire asks
    them (only the named
    parallel form's items of an instrument in ``forms``, a questionnaire's ``instrument_forms``)."""
    return [rule for page in pages_with_rules(instruments, forms) for rule in page[1]]


def pages_with_rules(
    instruments: list[Instrument], forms: Mapping[str, str] | None = None
) -> list[tuple[QuestionPage, list[AnswerRule]]]:
    """The questionnaire's pages (one per domain), each with its items' rules; ``forms`` as for
    :func:`answer_rules`."""
    scales = {
        item.id: instrument.scales[item.scale]
        for instrument in instruments
        for item in instrument.items
        if isinstance(item, RatingItem)
    }
    pages = []
    for page in question_pages(instruments, forms):
        rules = []
        for question in page.questions:
            scale = scales.get(question.id) if question.is_rating else None
            rules.append(
                AnswerRule(
                    number=question.number,
                    item_id=question.id,
                    text=question.text,
                    domain=page.title,
                    choices=tuple((str(v), str(label)) for v, label in question.choices),
                    scale=(scale.min, scale.max) if scale is not None else None,
                    max_length=question.item.max_length
                    if isinstance(question.item, OpenItem)
                    else None,
                )
            )
        pages.append((page, rules))
    return pages


# -------------------------------------------------------------- code, profession, directorate


CODE_SHAPE = ", ".join(
    f"{part.length} {'letters' if part.kind == 'letters' else 'digits'}" for part in CODE_PARTS
)


def parse_code(typed: str) -> str:
    """The anonymous code as stored (upper case, no spaces); ValueError if it breaks the recipe."""
    code = fold(typed)
    if not code:
        raise ValueError("Enter the anonymous code written in the boxes at the top of the form")
    problem = (
        f"The anonymous code must be {CODE_LENGTH} characters ({CODE_SHAPE}), "
        f"for example {CODE_EXAMPLE}"
    )
    if len(code) != CODE_LENGTH:
        raise ValueError(problem)
    start = 0
    for part in CODE_PARTS:
        try:
            check_part(part, code[start : start + part.length])
        except ValueError:
            raise ValueError(problem) from None
        start += part.length
    return code


def parse_listed(typed: str, values: Sequence[str], what: str) -> str:
    """A profession or directorate from its printed number (1, 2, ...) or its name; "" if blank."""
    text = typed.strip()
    if not text:
        return ""
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(values):  # "²".isdigit()
        return values[int(text) - 1]
    by_name = {value.casefold(): value for value in values}
    if text.casefold() in by_name:
        return by_name[text.casefold()]
    raise ValueError(
        f"'{text}' is not a {what} number: type the number beside the ticked box, "
        f"1 to {len(values)}, or leave it blank"
    )


def parse_profession(typed: str) -> str:
    return parse_listed(typed, PROFESSIONS, "profession")


def parse_directorate(typed: str) -> str:
    return parse_listed(typed, DIRECTORATES, "directorate")
