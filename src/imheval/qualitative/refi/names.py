"""Pseudonymising a project read from another tool, with every position kept on its text.

A project made in NVivo or ATLAS.ti arrives with whatever its transcripts and case names hold.
:func:`pseudonymise_project` replaces the names a person lists ("Sarah = PX1") by the rules of
:func:`imheval.qualitative.pseudonyms.pseudonymise`, in each source's text, source and case
names, case attributes, codes, coding memos and notes. A replacement changes the text's length,
so every coding and speaker turn is moved through the replacements exactly: a position before
a replaced name stays, one after it moves by the difference in length, and a coding that starts
or ends inside a name is widened to the whole label.

The list of names is the key to the pseudonyms: nothing here keeps it.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from imheval.errors import Problem, RefiError
from imheval.qualitative.model import Coding, Project, Source
from imheval.qualitative.pseudonyms import pseudonymise

#: Where marks for replaced names are taken from: Unicode's private-use area.
_PRIVATE_USE = range(0xE000, 0xF900)


@dataclass(frozen=True)
class _Replacement:
    old_start: int
    old_end: int
    new_start: int
    new_end: int


class PositionMap:
    """Positions in a text before its names were replaced, mapped to positions after: ``start``
    for where a passage starts, ``end`` for where it ends (they differ only inside a name)."""

    def __init__(self, replacements: tuple[_Replacement, ...] = ()) -> None:
        self.replacements = replacements
        self._starts = [r.old_start for r in replacements]

    def start(self, position: int) -> int:
        """Where a passage starting at ``position`` starts now."""
        return self._map(position, end=False)

    def end(self, position: int) -> int:
        """Where a passage ending at ``position`` ends now."""
        return self._map(position, end=True)

    def _map(self, position: int, *, end: bool) -> int:
        index = bisect.bisect_right(self._starts, position) - 1
        if index < 0:
            return position
        replaced = self.replacements[index]
        if position == replaced.old_start:
            return replaced.new_start
        if position < replaced.old_end:  # inside the name: take the whole label
            return replaced.new_end if end else replaced.new_start
        return position - replaced.old_end + replaced.new_end


def replace_names_keeping_positions(
    text: str, names: Mapping[str, str]
) -> tuple[str, int, PositionMap]:
    """``text`` with the listed names replaced, how many, and the position map (``.start(p)``,
    ``.end(p)``). ``text`` must be in Unicode NFC form (as :func:`pseudonymise` compares)."""
    labels = list(names.values())
    spellings = [" ".join(unicodedata.normalize("NFC", name).split()) for name in names]
    # each replaced name is first marked with its number between two characters the text does
    # not use, so the replacements can be found in what pseudonymise returns
    opening, closing = itertools.islice((chr(c) for c in _PRIVATE_USE if chr(c) not in text), 2)
    mark_pattern = re.compile(f"{opening}(\\d+){closing}")
    marks = {name: f"{opening}{number}{closing}" for number, name in enumerate(names)}
    marked, count = pseudonymise(text, marks)
    if not count:
        return text, 0, PositionMap()
    pieces: list[str] = []
    replacements: list[_Replacement] = []
    old = new = last = 0
    for mark in mark_pattern.finditer(marked):
        kept = marked[last : mark.start()]
        pieces.append(kept)
        old += len(kept)
        new += len(kept)
        number = int(mark.group(1))
        length = _matched_length(text, old, spellings[number])
        label = labels[number]
        replacements.append(_Replacement(old, old + length, new, new + len(label)))
        pieces.append(label)
        old += length
        new += len(label)
        last = mark.end()
    pieces.append(marked[last:])
    if old + len(marked) - last != len(text):  # pragma: no cover - pseudonymise changed its rules
        raise RuntimeError("replaced names could not be located in the text")
    return "".join(pieces), count, PositionMap(tuple(replacements))


def _matched_length(text: str, at: int, spelling: str) -> int:
    """How long the name ``spelling`` is where it was found at ``at``: its words keep their
    length (case and apostrophe differences are one character for one); the spaces or tabs
    between them may be any number."""
    position = at
    words = spelling.split(" ")
    for number, word in enumerate(words):
        position += len(word)
        if number < len(words) - 1:
            while position < len(text) and text[position] in " \t":
                position += 1
    return position - at


def _nfc_keeping_positions(
    source: Source, positions: Iterable[int], file: str
) -> tuple[str, dict[int, int]]:
    """The source's text in NFC form, normalised piece by piece between the positions that
    must survive, and where each of those positions now is."""
    text = source.text
    if unicodedata.is_normalized("NFC", text):
        return text, {p: p for p in positions}
    cuts = sorted({0, len(text), *positions})
    moved: dict[int, int] = {0: 0}
    pieces: list[str] = []
    length = 0
    for start, end in itertools.pairwise(cuts):
        piece = unicodedata.normalize("NFC", text[start:end])
        pieces.append(piece)
        length += len(piece)
        moved[end] = length
    normal = "".join(pieces)
    if not unicodedata.is_normalized("NFC", normal):
        raise RefiError(
            [
                Problem(
                    file,
                    f"source '{source.name}': a coding or turn starts or ends between a letter "
                    "and its accent, so names cannot be replaced with positions kept; import "
                    "it without the list of names",
                )
            ]
        )
    return normal, moved


def pseudonymise_project(
    project: Project, names: Mapping[str, str], file: str = "the project"
) -> tuple[Project, int]:
    """``project`` with every listed name replaced, and how many replacements were made.

    Codings and speaker turns keep the same words under them (see the module docstring).
    Raises :class:`RefiError` for a source whose text is not in NFC form and whose codings cut
    a letter from its accent (positions could not be kept). Coders' names are left alone: they
    are the analysts, not participants.

    Examples
    --------
    >>> source = Source("S", "Group", "Sarah Jones: I agree")
    >>> coding = Coding("C", "C", "S", 13, 20, "K", None)
    >>> done, count = pseudonymise_project(
    ...     Project("P", sources=(source,), codings=(coding,)), {"Sarah Jones": "PX1"}
    ... )
    >>> done.sources[0].text, count
    ('PX1: I agree', 1)
    >>> text = done.sources[0].text
    >>> text[done.codings[0].start : done.codings[0].end]
    'I agree'
    """
    if not names:
        return project, 0
    total = 0

    def clean(value: str) -> str:
        nonlocal total
        replaced, count = pseudonymise(value, names)
        total += count
        return replaced

    sources: list[Source] = []
    maps: dict[str, tuple[dict[int, int], PositionMap]] = {}
    for source in project.sources:
        at = [p for c in project.codings if c.source == source.guid for p in (c.start, c.end)]
        at += [p for turn in source.turns for p in (turn.start, turn.end)]
        if any(not 0 <= p <= len(source.text) for p in at):
            sources.append(source)  # positions outside the text: the import names them
            continue
        normal, moved = _nfc_keeping_positions(source, at, file)
        text, count, positions = replace_names_keeping_positions(normal, names)
        total += count
        maps[source.guid] = (moved, positions)
        sources.append(
            dataclasses.replace(
                source,
                name=clean(source.name),
                text=text,
                description=clean(source.description),
                turns=tuple(
                    dataclasses.replace(
                        turn,
                        start=positions.start(moved[turn.start]),
                        end=positions.end(moved[turn.end]),
                    )
                    for turn in source.turns
                ),
            )
        )

    def move(coding: Coding) -> Coding:
        if coding.source not in maps:
            return dataclasses.replace(coding, memo=clean(coding.memo))
        moved, positions = maps[coding.source]
        return dataclasses.replace(
            coding,
            start=positions.start(moved[coding.start]),
            end=positions.end(moved[coding.end]),
            memo=clean(coding.memo),
        )

    done = dataclasses.replace(
        project,
        sources=tuple(sources),
        codings=tuple(move(coding) for coding in project.codings),
        cases=tuple(
            dataclasses.replace(
                case,
                name=clean(case.name),
                attributes={key: clean(value) for key, value in case.attributes.items()},
            )
            for case in project.cases
        ),
        codes=tuple(
            dataclasses.replace(code, name=clean(code.name), description=clean(code.description))
            for code in project.codes
        ),
        notes=tuple(
            dataclasses.replace(note, name=clean(note.name), text=clean(note.text))
            for note in project.notes
        ),
        description=clean(project.description),
    )
    return done, total
