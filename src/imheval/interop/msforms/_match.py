"""Reading a Forms download with an instrument the person already has: each question of the
instrument is found among the download's columns by its text, and each answer (Forms writes the
option's label) becomes the instrument's code.

A question is found by its :class:`~imheval.interop.model.AnswerMap` ``source`` (for an
instrument as imheval exports it, :func:`~imheval.interop.common.maps_for_instrument` makes that
the question's text), else by its text, else by its text in any jurisdiction's wording, all
compared with :func:`~imheval.interop.common.fold` (case and runs of spaces ignored). An item
whose text is ``<column title>: <option>`` is one option of a multi-select column (this is how
the inference writes them), answered 1 when the option is ticked and 0 when it is not.

Forms writes labels, so a keyed item's labels are looked up before its codes (a label that is
also another option's code means the label). An answer that is neither is written as given, so
that scoring counts it invalid, and noted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from imheval.errors import Problem
from imheval.instruments import KeyedItem, OpenItem, RatingItem, RatingScale
from imheval.instruments.model import Jurisdiction
from imheval.interop.common import fold
from imheval.interop.model import AnswerMap, InstrumentImport
from imheval.interop.msforms._fields import titles
from imheval.interop.msforms._survey import Asked, Fill, Survey

_LISTED = 6


@dataclass(frozen=True)
class Matched:
    """The fills of the instrument's questions found in the downloads, and what to note."""

    fills: tuple[Fill, ...]
    notes: tuple[str, ...]

    def keys(self) -> set[str]:
        """The keys of the download questions read as items."""
        return {fill.asked.key for fill in self.fills}


def match(
    survey: Survey, structure: InstrumentImport, skipped: set[str], problems: list[Problem]
) -> Matched:
    """The instrument's questions found among the download's columns (except ``skipped``);
    a problem appended when none is found at all."""
    instrument = structure.instrument
    renderings = [instrument]
    if instrument.wording:
        renderings += [instrument.in_jurisdiction(place) for place in Jurisdiction]
    candidates = [asked for asked in survey.questions if asked.key not in skipped]
    fills: list[Fill] = []
    missing: list[str] = []
    for position, question in enumerate(instrument.questions):
        answer = _answer_map(structure, question.id, question.text)
        texts = [answer.source, *(r.questions[position].text for r in renderings)]
        codes = _codes(question, answer, instrument.scales)
        fill = _find(candidates, question.id, texts, answer, codes)
        if fill is None:
            missing.append(question.id)
        else:
            fills.append(fill)
    notes: list[str] = []
    if not fills:
        shown = ", ".join(f"'{q.text}'" for q in instrument.questions[:_LISTED])
        problems.append(
            Problem(
                file=", ".join(export.file for export in survey.exports),
                message="the download's columns do not match the instrument "
                f"'{instrument.id}': none of its {len(instrument.questions)} questions ({shown}"
                f"{' ...' if len(instrument.questions) > _LISTED else ''}) is a column of the "
                f"download, whose questions are {titles(candidates)}. Check that you chose "
                "the instrument the form was built from: the column titles must be the "
                "questions' text",
            )
        )
        return Matched(fills=(), notes=())
    if missing:
        notes.append(
            f"{len(missing)} of the instrument's questions are not in the download "
            f"({', '.join(missing[:12])}{' ...' if len(missing) > 12 else ''}): their "
            "answers are blank"
        )
    return Matched(fills=tuple(fills), notes=tuple(notes))


def unused(survey: Survey, used: set[str]) -> list[Asked]:
    """The download's questions that are neither items nor otherwise read."""
    return [asked for asked in survey.questions if asked.key not in used]


def _answer_map(structure: InstrumentImport, item: str, text: str) -> AnswerMap:
    try:
        return structure.answer_map(item)
    except KeyError:
        return AnswerMap(item=item, source=text)


def _codes(
    question: KeyedItem | RatingItem | OpenItem,
    answer: AnswerMap,
    scales: Mapping[str, RatingScale],
) -> dict[str, str]:
    if isinstance(question, OpenItem):
        return {}
    if answer.codes:
        # maps_for_instrument(..., System.MSFORMS) puts the labels first (Forms writes them).
        return dict(answer.codes)
    if isinstance(question, KeyedItem):
        codes = {label: code for code, label in question.options.items()}
        for code in question.options:
            codes.setdefault(code, code)
        return codes
    scale = scales[question.scale]
    codes = {str(value): str(value) for value in range(scale.min, scale.max + 1)}
    for value, label in scale.labels.items():
        codes.setdefault(label, str(value))
    return codes


def _find(
    candidates: list[Asked],
    item: str,
    texts: list[str],
    answer: AnswerMap,
    codes: dict[str, str],
) -> Fill | None:
    wanted = [fold(text) for text in texts if text]
    for asked in candidates:
        if asked.key in wanted:
            return Fill(item=item, asked=asked, codes=codes)
    # one option of a multi-select column: "<column title>: <option>"
    columns = {fold(column) for column in answer.columns}
    best: tuple[Asked, str] | None = None
    for asked in candidates:
        prefix = asked.key + ":"
        for text in wanted:
            if text.startswith(prefix) and (not columns or asked.key in columns):
                option = text[len(prefix) :].strip()
                if option and (best is None or len(asked.key) > len(best[0].key)):
                    best = (asked, option)
    if best is None:
        return None
    return Fill(item=item, asked=best[0], option=best[1], codes=codes)
