"""The questions of one or more Forms downloads taken together, and how a frame column is
filled from them.

Downloads of the same form (one per timepoint, or the same form downloaded twice) are read
together: a question is the same question in every download whose column has the same title
(compared with :func:`~imheval.interop.common.fold`); a question missing from a download is
blank there. Questions keep the order of the first download that has them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from imheval.interop.common import fold
from imheval.interop.msforms._metadata import Export, Question, Role, is_number


@dataclass(frozen=True)
class Asked:
    """One question across the downloads: its title and its column in each download."""

    key: str
    title: str
    #: Per download (in the order read), its :class:`Question`, or None where it is missing.
    placements: tuple[Question | None, ...]


@dataclass(frozen=True)
class Cell:
    """One answer: the download (its index), the row number a spreadsheet shows, the text."""

    export: int
    row: int
    text: str


@dataclass(frozen=True)
class Survey:
    """The downloads read together, and their questions in order."""

    exports: tuple[Export, ...]
    questions: tuple[Asked, ...]
    # every question's answers and points are read several times (identifying? scored? what
    # kind?), so each is worked out once
    _answers: dict[str, list[Cell]] = field(default_factory=dict, compare=False, repr=False)
    _points: dict[str, list[tuple[Cell, float | None]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def of(cls, exports: tuple[Export, ...]) -> Survey:
        """The questions of ``exports``, matched across them by title."""
        order: list[str] = []
        titles: dict[str, str] = {}
        placed: dict[str, list[Question | None]] = {}
        for index, export in enumerate(exports):
            seen: dict[str, int] = {}
            for question in export.questions:
                # a title repeated within a download is a different question each time
                base = fold(question.title)
                seen[base] = seen.get(base, 0) + 1
                key = base if seen[base] == 1 else f"{base}#{seen[base]}"
                if key not in placed:
                    order.append(key)
                    titles[key] = question.title
                    placed[key] = [None] * len(exports)
                placed[key][index] = question
        return cls(
            exports=exports,
            questions=tuple(Asked(key, titles[key], tuple(placed[key])) for key in order),
        )

    def find(self, title: str) -> Asked | None:
        """The question titled ``title`` (compared with fold), None if there is none."""
        wanted = fold(title)
        return next((asked for asked in self.questions if asked.key == wanted), None)

    def answer(self, asked: Asked, export: int, cells: tuple[str, ...]) -> str:
        """The answer to ``asked`` in one row of download ``export`` ("" where it is missing)."""
        question = asked.placements[export]
        return "" if question is None else cells[question.column]

    def answers(self, asked: Asked) -> list[Cell]:
        """Every non-blank answer to ``asked``, download by download, row by row."""
        if asked.key in self._answers:
            return self._answers[asked.key]
        found: list[Cell] = self._answers.setdefault(asked.key, [])
        for index, (export, question) in enumerate(
            zip(self.exports, asked.placements, strict=True)
        ):
            if question is None:
                continue
            for number, text in export.table.values(question.column):
                found.append(Cell(index, number, text))
        return found

    def points(self, asked: Asked) -> list[tuple[Cell, float | None]]:
        """Each non-blank answer to a quiz question with the points its row scored there (None
        where the points cell is blank or not a number, or the download has no points)."""
        if asked.key in self._points:
            return self._points[asked.key]
        scored: list[tuple[Cell, float | None]] = self._points.setdefault(asked.key, [])
        for index, (export, question) in enumerate(
            zip(self.exports, asked.placements, strict=True)
        ):
            if question is None:
                continue
            for number, cells in export.table.rows:
                text = cells[question.column]
                if not text.strip():
                    continue
                value: float | None = None
                if question.points is not None:
                    value = as_number(cells[question.points])
                scored.append((Cell(index, number, text), value))
        return scored

    def rows(self) -> Iterator[tuple[int, int, tuple[str, ...]]]:
        """Every row of every download: (download index, row number, cells)."""
        for index, export in enumerate(self.exports):
            for number, cells in export.table.rows:
                yield index, number, cells

    def missing_from(self, asked: Asked) -> list[str]:
        """The files of the downloads that do not have ``asked``."""
        return [
            export.file
            for export, question in zip(self.exports, asked.placements, strict=True)
            if question is None
        ]

    def metadata_titles(self, role: Role) -> list[str]:
        """The distinct titles the downloads give a metadata column."""
        titles: list[str] = []
        for export in self.exports:
            title = export.title(role)
            if title is not None and title not in titles:
                titles.append(title)
        return titles


@dataclass(frozen=True)
class Fill:
    """How one column of the frame (an instrument question) is filled from a Forms question.

    ``option`` is set for one option of a multi-select question: the frame holds ``1`` when
    the answer ticks it, ``0`` when the answer ticks others, blank when the question was not
    answered. ``codes`` maps the answer (or that 1/0) to the frame's value; when it is empty
    the answer is taken as given (an open question).
    """

    item: str
    asked: Asked
    option: str | None = None
    codes: Mapping[str, str] = field(default_factory=dict)

    def value(self, raw: str) -> tuple[str, bool]:
        """The frame's value for the answer ``raw``, and whether it is not one of ``codes``
        (then it is written as given, so that scoring counts it invalid)."""
        text = raw
        if self.option is not None:
            if not raw.strip():
                return "", False
            ticked = {fold(choice) for choice in split_choices(raw)}
            text = "1" if fold(self.option) in ticked else "0"
        if not self.codes or not text.strip():
            return (text if text.strip() else ""), False
        stripped = text.strip()
        if stripped in self.codes:
            return self.codes[stripped], False
        wanted = fold(stripped)
        for answer, code in self.codes.items():
            if fold(answer) == wanted:
                return code, False
        return text, True


def as_number(text: str) -> float | None:
    """A cell as a number (a decimal comma read as a point), None when blank or not one."""
    value = text.strip().replace(",", ".")
    if not value or not is_number(value):
        return None
    return float(value)


def split_choices(raw: str) -> list[str]:
    """The choices of a multi-select answer: Forms writes ``A;B;`` (a trailing ``;`` even for
    one choice), so the parts are split on ``;`` and the empty last one dropped."""
    return [part.strip() for part in raw.split(";") if part.strip()]


def is_multiselect(answers: list[str]) -> bool:
    """Whether a question's answers are a multi-select's: every one ends with ``;``."""
    return bool(answers) and all(answer.strip().endswith(";") for answer in answers)
