"""Pseudonymisation: listed names (people, places, services) replaced by labels, and the list
of names read from the lines a person types ("Sarah = PX1").

The list is the key to the pseudonyms: nothing here keeps it, and nothing returned holds it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Final

from imheval.errors import Problem, TranscriptError
from imheval.qualitative.speaker_turns import MAX_LABEL_CHARS

#: Lines of a list of names, and the longest name.
MAX_NAMES: Final = 2_000
MAX_NAME_CHARS: Final = 100


def pseudonymise(text: str, names: Mapping[str, str]) -> tuple[str, int]:
    """``text`` with every listed name replaced by its label, and how many were replaced.

    Names are people, places or services ("Sarah", "Leeds", "St Mary's"). A name matches as a
    whole word only ("Anna" is not replaced inside "Annabel"), in any case ("SARAH", "sarah"),
    with any spaces or tabs between its words and either apostrophe ("St Mary’s"); the longest
    names are tried first, so "Sarah Jones" is replaced whole before "Sarah". A possessive keeps
    its ending: "Sarah's" becomes "PX1's". The text is read in one pass, so a label is never
    itself replaced. The text comes back in Unicode NFC form (as the names are compared), so an
    accent typed as two code points still matches.

    Examples
    --------
    >>> pseudonymise("Sarah's idea, said sarah in Leeds", {"Sarah": "PX1", "Leeds": "[place]"})
    ("PX1's idea, said PX1 in [place]", 3)
    """
    text = unicodedata.normalize("NFC", text)
    listed = _listed_names(names)
    if not listed:
        return text, 0
    alternatives = "|".join(_name_regex(spelling) for spelling, _label in listed)
    pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
    labels = {_name_key(spelling): label for spelling, label in listed}

    def replace(match: re.Match[str]) -> str:
        label = labels.get(_name_key(match.group(0)))
        if label is None:  # where lower() and IGNORECASE disagree ("İ"): find the name again
            label = next(
                label
                for spelling, label in listed
                if re.fullmatch(_name_regex(spelling), match.group(0), re.IGNORECASE)
            )
        return label

    return pattern.subn(replace, text)


def _listed_names(names: Mapping[str, str]) -> list[tuple[str, str]]:
    """(name, label) pairs, NFC with single spaces, longest first (a regular expression tries
    alternatives in order), a name given twice in other capitals kept once."""
    listed: dict[str, tuple[str, str]] = {}
    for name, label in names.items():
        spelling = " ".join(unicodedata.normalize("NFC", name).split())
        if spelling:
            listed.setdefault(_name_key(spelling), (spelling, label))
    return sorted(listed.values(), key=lambda pair: len(pair[0]), reverse=True)


def _name_key(name: str) -> str:
    """A name as compared: lower case, NFC, one space between words, one kind of apostrophe."""
    lowered = unicodedata.normalize("NFC", name).lower().replace("’", "'")
    return " ".join(lowered.split())


def _name_regex(spelling: str) -> str:
    """A name's words, any spaces or tabs between them, either apostrophe."""
    words = [re.sub("['’]", "['’]", re.escape(word)) for word in spelling.split(" ")]
    return r"[ \t]+".join(words)


def parse_names(text: str, file: str = "the list of names") -> dict[str, str]:
    """The names to replace, from lines such as ``Sarah = PX1`` or ``Leeds = [place]``.

    Blank lines and lines starting with ``#`` are skipped. Raises :class:`TranscriptError`
    listing every bad line by number: no ``=``, an empty name or label, a name or label too long,
    or a name listed twice with different labels.

    Examples
    --------
    >>> parse_names("Sarah = PX1\\nSt Mary's = [service]")
    {'Sarah': 'PX1', "St Mary's": '[service]'}
    """
    names: dict[str, str] = {}
    first_line: dict[str, tuple[int, str]] = {}
    problems: list[Problem] = []
    lines = normalise_newlines(text).split("\n")
    if len(lines) > MAX_NAMES:
        raise TranscriptError([Problem(file, f"lists {len(lines):,} lines; at most {MAX_NAMES:,}")])
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, equals, label = (part.strip() for part in stripped.partition("="))
        if not equals:
            problems.append(line_problem(file, number, "write a name, '=' and its label"))
        elif not name:
            problems.append(line_problem(file, number, "there is no name before '='"))
        elif not label:
            problems.append(line_problem(file, number, "there is no label after '='"))
        elif "=" in label:
            problems.append(line_problem(file, number, "write one '=' per line"))
        elif len(name) < 2:
            problems.append(
                line_problem(
                    file, number, "a name of one character would replace every such letter"
                )
            )
        elif len(name) > MAX_NAME_CHARS:
            problems.append(
                line_problem(file, number, f"the name is longer than {MAX_NAME_CHARS} characters")
            )
        elif len(label) > MAX_LABEL_CHARS:
            problems.append(
                line_problem(file, number, f"the label is longer than {MAX_LABEL_CHARS} characters")
            )
        else:
            key = _name_key(name)
            if key in first_line and first_line[key][1] != label:
                problems.append(
                    line_problem(
                        file,
                        number,
                        f"this name is already given the label '{first_line[key][1]}' on line "
                        f"{first_line[key][0]}",
                    )
                )
                continue
            if key not in first_line:
                first_line[key] = (number, label)
                names[name] = label
    if problems:
        raise TranscriptError(problems)
    return names


def line_problem(file: str, line: int, message: str) -> Problem:
    """A problem on a numbered line of a file ("the list of names: line 3: ...")."""
    return Problem(file, f"line {line}: {message}")


def normalise_newlines(text: str) -> str:
    """``text`` with Windows ("\\r\\n") and old Mac ("\\r") line endings as "\\n"."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
