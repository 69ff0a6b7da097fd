"""Framework levels as cumulative ladders: a person at one level counts towards every level below.

Built in: NHS Education for Scotland's perinatal and infant mental health framework (Informed,
Skilled, Enhanced, Specialist), seed 000's beginner, intermediate and advanced, and the AIMH UK
competency framework's levels 1 to 3. Another ladder is a small file (:func:`read_ladder`).
Level names are matched without regard to case or repeated spaces.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from imheval.errors import CoverageError, Problem

__all__ = ["BUILT_IN", "Ladder", "find_ladder", "read_ladder"]

#: The most levels a ladder may have (a framework with more is not a ladder of practice levels).
MAX_LEVELS: Final = 20
#: The largest ladder file read, in bytes.
MAX_LADDER_BYTES: Final = 64_000


@functools.lru_cache(maxsize=8192)  # names repeat on every row of a file
def level_key(name: str) -> str:
    """The form of a level, service, profession or organisation name used for matching:
    case folded, runs of whitespace made one space, ends trimmed."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class Ladder:
    """A framework's levels, lowest first. Raises :class:`CoverageError` when a level is blank
    or named twice (ignoring case), or there are no levels."""

    name: str
    levels: tuple[str, ...]

    def __post_init__(self) -> None:
        problems: list[str] = []
        if not self.levels:
            problems.append("a ladder needs at least one level")
        if len(self.levels) > MAX_LEVELS:
            problems.append(f"a ladder has at most {MAX_LEVELS} levels")
        seen: set[str] = set()
        for level in self.levels:
            key = level_key(level)
            if not key:
                problems.append("a level's name is blank")
            elif key in seen:
                problems.append(f"the level '{level}' is named twice")
            seen.add(key)
        if problems:
            raise CoverageError([Problem(file=self.name, message=m) for m in problems])

    def rank(self, level: str) -> int | None:
        """The level's place on the ladder (0 = lowest), or None when it is not one of them."""
        return _ranks(self.levels).get(level_key(level))

    def canonical(self, level: str) -> str | None:
        """The level as the ladder spells it, or None."""
        rank = self.rank(level)
        return None if rank is None else self.levels[rank]

    @property
    def top(self) -> str:
        """The highest level (specialist practice)."""
        return self.levels[-1]

    def describe(self) -> str:
        """'NES PIMH (Informed, Skilled, Enhanced, Specialist)'."""
        return f"{self.name} ({', '.join(self.levels)})"


@functools.lru_cache(maxsize=64)
def _ranks(levels: tuple[str, ...]) -> dict[str, int]:
    """Each level's matching key and place, worked out once per ladder."""
    return {level_key(name): index for index, name in enumerate(levels)}


#: The built-in ladders by the id ``--framework`` takes.
BUILT_IN: Final = {
    "nes": Ladder("NES PIMH", ("Informed", "Skilled", "Enhanced", "Specialist")),
    "seed000": Ladder("Seed 000", ("beginner", "intermediate", "advanced")),
    "aimh": Ladder("AIMH UK", ("Level 1", "Level 2", "Level 3")),
}


def find_ladder(choice: str) -> Ladder:
    """A built-in ladder by id (``nes``, ``seed000``, ``aimh``) or a ladder file's path.

    Raises :class:`CoverageError` for an unknown id that is not a file.
    """
    built_in = BUILT_IN.get(choice.strip().casefold())
    if built_in is not None:
        return built_in
    path = Path(choice)
    if path.is_file():
        return read_ladder(path)
    known = ", ".join(BUILT_IN)
    raise CoverageError(
        [
            Problem(
                file=choice,
                message=f"not a built-in framework ({known}) and not a file",
            )
        ]
    )


def read_ladder(path: Path) -> Ladder:
    """A ladder from a small file, lowest level first.

    YAML (``.yaml``/``.yml``)::

        name: Our trust's framework
        levels: [Aware, Practitioner, Lead]

    or CSV / text (anything else): one level per line, an optional header ``level`` first; the
    ladder is named after the file. Raises :class:`CoverageError` naming the file.
    """
    file = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CoverageError(
            [Problem(file=file, message=f"cannot be read: {exc.strerror}")]
        ) from None
    if len(raw) > MAX_LADDER_BYTES:
        raise CoverageError(
            [Problem(file=file, message=f"is larger than {MAX_LADDER_BYTES:,} bytes: not a ladder")]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CoverageError([Problem(file=file, message="is not UTF-8 text")]) from None
    if path.suffix.lower() in (".yaml", ".yml"):
        return _ladder_from_yaml(text, file)
    lines = [line.split(",")[0].strip() for line in text.splitlines() if line.strip()]
    if lines and level_key(lines[0]) == "level":
        lines = lines[1:]
    return Ladder(path.stem, tuple(lines))


def _ladder_from_yaml(text: str, file: str) -> Ladder:
    import yaml

    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CoverageError([Problem(file=file, message=f"is not valid YAML ({exc})")]) from None
    if not isinstance(document, dict):
        raise CoverageError([Problem(file=file, message="needs 'name' and 'levels'")])
    name = document.get("name")
    levels = document.get("levels")
    problems: list[Problem] = []
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(file=file, field="name", message="give the framework a name"))
        name = ""
    if not isinstance(levels, list) or not all(isinstance(level, str) for level in levels):
        problems.append(
            Problem(file=file, field="levels", message="give the levels as a list, lowest first")
        )
        levels = []
    if problems:
        raise CoverageError(problems)
    return Ladder(name.strip(), tuple(str(level).strip() for level in levels))
