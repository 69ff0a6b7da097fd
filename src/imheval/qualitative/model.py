"""The qualitative half's plain data, shared by REFI-QDA files, the web app and the outputs.

A :class:`Project` holds sources (transcripts, or open-text answers, as plain text with speaker
turns), a codebook of three levels (theme, sub-theme, code: nested :class:`Code` rows, the level
given by depth), the coders (:class:`User`), their codings, the cases (pseudonymous speakers,
with attributes), notes (memos) and sets.

Positions are Unicode code point offsets into a source's plain text, the end exclusive, so
``source.text[coding.start:coding.end]`` is the coded passage, and they survive export and
import exactly. Identifiers are GUIDs in REFI-QDA's form (upper-case, hyphenated).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

#: uuid5 namespace for GUIDs made from stable names (a code's path, a speaker's label), so the
#: same project exported twice gives the same GUIDs.
GUID_NAMESPACE = uuid.UUID("6f1c35f8-6a39-4f8e-9c1d-3e2b0f6d5a11")


def new_guid() -> str:
    """A fresh random GUID in REFI-QDA's form."""
    return str(uuid.uuid4()).upper()


def stable_guid(*parts: str) -> str:
    """A GUID made from ``parts`` (uuid5): the same parts always give the same GUID."""
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join(parts))).upper()


class Level(StrEnum):
    """A codebook row's level: themes hold sub-themes, sub-themes hold codes."""

    THEME = "theme"
    SUBTHEME = "subtheme"
    CODE = "code"


#: A level from a row's depth in the codebook tree (0 is a top-level row).
LEVEL_BY_DEPTH: tuple[Level, ...] = (Level.THEME, Level.SUBTHEME, Level.CODE)


@dataclass(frozen=True)
class User:
    """A coder (REFI-QDA ``User``): whoever made codings, by name; no email or other contact."""

    guid: str
    name: str


@dataclass(frozen=True)
class Code:
    """A codebook row: a theme, sub-theme or code. ``parent`` is the GUID of the row above."""

    guid: str
    name: str
    parent: str | None = None
    description: str = ""
    codable: bool = True
    color: str | None = None  # "#RRGGBB"


@dataclass(frozen=True)
class Turn:
    """One speaker's turn in a transcript: ``text[start:end]``, spoken by case ``speaker``
    (a :class:`Case` GUID)."""

    start: int
    end: int
    speaker: str


@dataclass(frozen=True)
class Source:
    """A transcript or a set of open-text answers, as pseudonymised plain text."""

    guid: str
    name: str
    text: str
    turns: tuple[Turn, ...] = ()
    description: str = ""
    creating_user: str | None = None
    created: datetime.datetime | None = None


@dataclass(frozen=True)
class Coding:
    """One code applied by one coder to ``text[start:end]`` of one source.

    ``selection`` is the GUID of the REFI-QDA ``PlainTextSelection`` it belongs to (one
    selection may carry several codes); ``guid`` is the ``Coding``'s own GUID.
    """

    guid: str
    selection: str
    source: str
    start: int
    end: int
    code: str
    coder: str | None
    memo: str = ""
    exemplar: bool = False
    created: datetime.datetime | None = None


@dataclass(frozen=True)
class Case:
    """A pseudonymous speaker (PX1) or other case, with attributes (profession, service, role in
    the group) and the sources it appears in."""

    guid: str
    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """A memo: on the project (``targets`` empty), or on codes, sources or selections (their
    GUIDs)."""

    guid: str
    name: str
    text: str
    targets: tuple[str, ...] = ()
    creating_user: str | None = None
    created: datetime.datetime | None = None


@dataclass(frozen=True)
class CodeSet:
    """A REFI-QDA ``Set``: a named group of codes and sources."""

    guid: str
    name: str
    codes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    """A whole qualitative analysis, as REFI-QDA exchanges it."""

    name: str
    users: tuple[User, ...] = ()
    codes: tuple[Code, ...] = ()
    sources: tuple[Source, ...] = ()
    codings: tuple[Coding, ...] = ()
    cases: tuple[Case, ...] = ()
    notes: tuple[Note, ...] = ()
    sets: tuple[CodeSet, ...] = ()
    description: str = ""
    origin: str = ""

    def code_level(self, guid: str) -> Level:
        """The level of code ``guid`` from its depth (rows deeper than a code count as codes)."""
        parents = {code.guid: code.parent for code in self.codes}
        depth = 0
        parent = parents[guid]
        while parent is not None and depth < len(parents):
            depth += 1
            parent = parents.get(parent)
        return LEVEL_BY_DEPTH[min(depth, len(LEVEL_BY_DEPTH) - 1)]
