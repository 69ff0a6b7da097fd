"""Speaker turns: the rule for a speaker label at the start of a line, a user's own pattern,
and the turns of a text as code point offsets (end exclusive) covering the spoken words.

Threat model: a speaker pattern comes from a user. It is bounded in length, refused when it
nests repeats (the shape of catastrophic backtracking) and only ever sees the first
:data:`LABEL_WINDOW` characters of each line.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from imheval.errors import Problem, TranscriptError

#: A speaker label is at most this many characters and words.
MAX_LABEL_CHARS: Final = 40
MAX_LABEL_WORDS: Final = 4
#: A user's speaker pattern is at most this long, and sees only this much of each line.
MAX_PATTERN_CHARS: Final = 200
LABEL_WINDOW: Final = 80
#: Words that start a line with a colon in notes and headers, never speakers ("Note: ...").
NOT_SPEAKERS: Final = frozenset(
    {
        "action",
        "actions",
        "agenda",
        "applause",
        "attendees",
        "crosstalk",
        "date",
        "duration",
        "e.g",
        "eg",
        "example",
        "i.e",
        "inaudible",
        "laughter",
        "laughs",
        "location",
        "music",
        "name",
        "nb",
        "noise",
        "note",
        "notes",
        "pause",
        "place",
        "present",
        "ps",
        "re",
        "redacted",
        "service",
        "silence",
        "subject",
        "summary",
        "time",
        "title",
        "transcript",
        "unclear",
        "venue",
    }
)

_LABEL_WORD = r"[^\W\d_][\w.'’&/-]*|\d[\w.'’&/-]*"
_LABEL = rf"(?:{_LABEL_WORD})(?:[ \t]+(?:{_LABEL_WORD}))*"
#: A time as transcription services write it: "10:30", "00:01:23", "[00:01:23.5]", "(1:02)".
_TIME = r"[\[(]?\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?[\])]?"
#: Before a label: white space, and a time ("00:01:23 PX1: ..."), which is not part of the turn.
_LEAD = rf"[ \t]*(?:{_TIME}[ \t]+)?"
#: "[PX2] text" or "[PX2]: text".
_BRACKET = re.compile(rf"{_LEAD}\[(?P<label>{_LABEL})\][ \t]*:?(?=\s|$)")
#: "PX2: text"; the colon is followed by a space or the line's end, so "10:30" is not a label.
_COLON = re.compile(rf"{_LEAD}(?P<label>{_LABEL})[ \t]*:(?=\s|$)")
#: "PX2 - text": only code-like labels (letters then digits), so "So - I think" is not one.
_DASH = re.compile(rf"{_LEAD}(?P<label>[^\W\d_]+[ \t]?\d+)[ \t]+[-–—](?=\s|$)")
#: "Speaker 1  0:03" alone on its line, the words on the lines below (Otter's export).
_TIMED = re.compile(rf"{_LEAD}(?P<label>{_LABEL})[ \t]+{_TIME}[ \t]*$")
#: A time, as a plain pattern for others to use ("00:01:23" cells in a .docx table).
TIME_PATTERN: Final = _TIME
#: A label that is a code: letters then a number ("PX2", "R 12").
CODE_LIKE: Final = re.compile(r"[^\W\d_]+[ \t]?\d+")


class SpeakerTurn(NamedTuple):
    """One turn: ``text[start:end]`` (code points, end exclusive) said by ``speaker``."""

    start: int
    end: int
    speaker: str


@dataclass(frozen=True, slots=True)
class Label:
    """A label found at a line's start: the speaker and where the spoken words may begin."""

    speaker: str
    spoken_from: int  # offset in the line where the spoken words may begin


class LabelReader:
    """Finds the speaker label that starts a line, by the built-in styles or a user's pattern.

    The rule: a label starts the line, is at most :data:`MAX_LABEL_CHARS` characters and
    :data:`MAX_LABEL_WORDS` words, and is written "PX2:", "[PX2]" or "PX2 -" (the dash only for
    code-like labels: letters then digits), or stands alone on its line before a time
    ("Speaker 1  0:03", the words on the lines below); a time before the label
    ("00:01:23 PX2: ...") is passed over. Without a user's pattern, each of the label's words
    begins with a capital letter or a digit ("Participant 3", not "what I mean is"), its first
    character is a letter (so "10:30" is not one), and it is not a word that heads notes
    ("Note:", "Date:", "[Laughter]"). A user's pattern replaces the built-in styles: its one
    group is the label, the spoken words begin after its match; only the length rule applies.
    """

    def __init__(self, pattern: str | None) -> None:
        self.pattern = None if pattern is None else compile_speaker_pattern(pattern)

    def read(self, line: str) -> Label | None:
        """The label starting ``line``, or None when the line carries on a turn."""
        if self.pattern is not None:
            match = self.pattern.match(line[:LABEL_WINDOW])
            if match is None or match.group(1) is None:
                return None
            speaker = " ".join(match.group(1).split())
            if not speaker or not _short_enough(speaker):
                return None
            return Label(speaker, match.end())
        for style in (_BRACKET, _DASH, _COLON, _TIMED):
            match = style.match(line[:LABEL_WINDOW])
            if match is not None:
                speaker = " ".join(match.group("label").split())
                if is_speaker_label(speaker):
                    return Label(speaker, match.end())
        return None


def is_speaker_label(label: str) -> bool:
    """Whether ``label`` passes the built-in rule for a speaker label (see :class:`LabelReader`).

    >>> [is_speaker_label(x) for x in ("PX2", "Facilitator", "Note", "10", "what I mean")]
    [True, True, False, False, False]
    """
    words = label.split()
    if not words or not _short_enough(label) or not label[0].isalpha():
        return False
    if label.casefold().rstrip(".") in NOT_SPEAKERS:
        return False
    return all(word[0].isupper() or word[0].isdigit() for word in words)


def _short_enough(label: str) -> bool:
    return len(label) <= MAX_LABEL_CHARS and len(label.split()) <= MAX_LABEL_WORDS


def compile_speaker_pattern(pattern: str, file: str = "the speaker pattern") -> re.Pattern[str]:
    """A user's speaker pattern, checked: a regular expression with exactly one group.

    Raises :class:`TranscriptError` if it is longer than :data:`MAX_PATTERN_CHARS`, is not a
    valid regular expression, has no group or several, or nests repeats (such as ``(a+)+``,
    which can take exponential time); a pattern is matched at the start of each line.

    >>> compile_speaker_pattern(r"<(\\w+)>").match("<PX1> yes").group(1)
    'PX1'
    """
    if len(pattern) > MAX_PATTERN_CHARS:
        raise TranscriptError(
            [Problem(file, f"is {len(pattern)} characters; at most {MAX_PATTERN_CHARS}")]
        )
    try:
        compiled = re.compile(pattern)
        parsed = _sre_parser.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise TranscriptError(
            [Problem(file, f"is not a valid regular expression ({exc})")]
        ) from None
    if compiled.groups != 1:
        raise TranscriptError(
            [
                Problem(
                    file,
                    f"needs exactly one group in brackets, the speaker's label, e.g. "
                    f"'^<(\\w+)>'; it has {compiled.groups}",
                )
            ]
        )
    if _nests_repeats(parsed, inside=False):
        raise TranscriptError(
            [
                Problem(
                    file,
                    "repeats a part that itself repeats (such as '(a+)+'), which can take "
                    "a very long time to match; write it without the nesting",
                )
            ]
        )
    return compiled


#: Python's own pattern parser (it has no typing stubs, hence Any).
_sre_parser: Any = importlib.import_module("re._parser")
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


def _nests_repeats(pattern: Any, *, inside: bool) -> bool:
    """Whether a parsed pattern repeats something that repeats or branches (``(a+)+``,
    ``(a|ab)*``): the shapes whose matching can take exponential time. A ``?`` (at most once)
    does not count as an outer repeat."""
    for op, argument in pattern:
        if str(op) in _REPEATS:
            if inside:
                return True
            _low, high, body = argument
            if _nests_repeats(body, inside=high > 1):
                return True
            continue
        if str(op) == "BRANCH" and inside:
            return True
        if any(_nests_repeats(child, inside=inside) for child in _subpatterns(argument)):
            return True
    return False


def _subpatterns(argument: Any) -> Iterator[Any]:
    if isinstance(argument, _sre_parser.SubPattern):
        yield argument
    elif isinstance(argument, tuple | list):
        for item in argument:
            yield from _subpatterns(item)


def find_turns(
    text: str, *, speaker_pattern: str | None = None
) -> tuple[tuple[SpeakerTurn, ...], tuple[str, ...]]:
    """The speaker turns of ``text`` (lines separated by "\\n") and the warnings about them.

    A line that starts with a label starts a turn; a line without one continues the turn before
    it (a blank line too). The turn covers the spoken words, from the first non-space character
    after the label to the last non-space character before the next label; a label with
    nothing said is dropped with a warning. Lines before the first label belong to nobody.
    """
    reader = LabelReader(speaker_pattern)
    turns: list[SpeakerTurn] = []
    warnings: list[str] = []
    current: str | None = None
    current_line = 0
    spoken_start = spoken_end = -1  # the current turn's non-space extent, -1 before any word
    offset = 0
    unattributed = 0

    def close() -> None:
        if current is None:
            return
        if spoken_start < 0:
            warnings.append(f"Line {current_line}: {current} has a label but says nothing.")
        else:
            turns.append(SpeakerTurn(spoken_start, spoken_end, current))

    for number, line in enumerate(text.split("\n"), start=1):
        label = reader.read(line)
        body_from = 0
        if label is not None:
            close()
            current, current_line = label.speaker, number
            spoken_start = spoken_end = -1
            body_from = label.spoken_from
        body = line[body_from:]
        stripped = body.strip()
        if stripped:
            if current is None:
                unattributed += 1
            else:
                first = offset + body_from + (len(body) - len(body.lstrip()))
                if spoken_start < 0:
                    spoken_start = first
                spoken_end = offset + body_from + len(body.rstrip())
        offset += len(line) + 1
    close()
    if not turns:
        warnings.append(
            "No speaker labels were found, so the text has no speaker turns. Labels are "
            "written at the start of a line as 'PX2:', '[PX2]' or 'PX2 -'; set a speaker "
            "pattern if this transcript marks speakers another way."
        )
    elif unattributed:
        warnings.append(
            f"{unattributed} line(s) before the first speaker label belong to no speaker."
        )
    return tuple(turns), tuple(warnings)
