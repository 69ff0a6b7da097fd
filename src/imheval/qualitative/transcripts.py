"""Transcripts and open-text answers as pseudonymised plain text with speaker turns.

:func:`read_transcript` reads a focus group or interview from a .txt, .docx or WebVTT (.vtt)
file; :func:`answers_source` turns open-text answers into the same shape. Either way the caller
gets a :class:`Transcript`: the text, the speaker turns as code point offsets into it (end
exclusive, so ``text[turn.start:turn.end]`` is exactly what was said, without the label), the
speakers in order of first appearance, and how many names were replaced.

Names are replaced before anything is returned: :func:`pseudonymise` runs over the whole text
first and the speaker labels are read from its result, so "Sarah:" becomes the speaker "PX1". The
key (the mapping of names to labels) is never part of a result.

Threat model: a transcript is a file from outside. Its size is bounded, a .docx is checked as a
zip before python-docx opens it (entries, expanded size, ratio) and python-docx's XML parser does
not resolve entities; a speaker pattern from a user is bounded in length, refused when it nests
repeats (the shape of catastrophic backtracking) and only ever sees the first
:data:`LABEL_WINDOW` characters of each line.
"""

from __future__ import annotations

import html
import importlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Final, NamedTuple

from imheval.errors import Problem, TranscriptError
from imheval.qualitative.model import Case, Source, Turn, new_guid, stable_guid

#: The largest transcript file read (a 20,000-word transcript is about 120 kB as text).
MAX_TRANSCRIPT_BYTES: Final = 20_000_000
#: The most bytes a .docx's zip entries may expand to, and the highest ratio of a large entry.
MAX_DOCX_UNCOMPRESSED_BYTES: Final = 200_000_000
MAX_DOCX_RATIO: Final = 100
_DOCX_RATIO_EXEMPT_BYTES: Final = 1_000_000
MAX_DOCX_ENTRIES: Final = 2_000

#: A speaker label is at most this many characters and words.
MAX_LABEL_CHARS: Final = 40
MAX_LABEL_WORDS: Final = 4
#: A user's speaker pattern is at most this long, and sees only this much of each line.
MAX_PATTERN_CHARS: Final = 200
LABEL_WINDOW: Final = 80
#: Lines of a list of names, and the longest name.
MAX_NAMES: Final = 2_000
MAX_NAME_CHARS: Final = 100

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
#: Speaker labels that are roles, not people: no warning that they may be real names.
ROLE_LABELS: Final = frozenset(
    {
        "chair",
        "co-facilitator",
        "facilitator",
        "interviewer",
        "moderator",
        "note-taker",
        "observer",
        "researcher",
        "respondent",
        "participant",
        "speaker",
        "unknown",
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
_CODE_LIKE = re.compile(r"[^\W\d_]+[ \t]?\d+")
_TIMESTAMP_CELL = re.compile(_TIME)


class SpeakerTurn(NamedTuple):
    """One turn: ``text[start:end]`` (code points, end exclusive) said by ``speaker``."""

    start: int
    end: int
    speaker: str


@dataclass(frozen=True, slots=True)
class Transcript:
    """A pseudonymised transcript: the text, its speaker turns and what happened on the way.

    ``turns`` are in text order and never overlap; each covers the spoken words after the label
    (leading and trailing white space left out). ``speakers`` are the turns' labels in order of
    first appearance. ``replaced`` counts the names replaced. ``warnings`` are plain sentences
    for the person importing (nothing in them is a name from the key).
    """

    text: str
    turns: tuple[SpeakerTurn, ...]
    speakers: tuple[str, ...]
    replaced: int = 0
    warnings: tuple[str, ...] = ()


# ---------------------------------------------------------------------------------------------
# Pseudonymisation


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
    lines = _normalise_newlines(text).split("\n")
    if len(lines) > MAX_NAMES:
        raise TranscriptError([Problem(file, f"lists {len(lines):,} lines; at most {MAX_NAMES:,}")])
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        name, equals, label = (part.strip() for part in stripped.partition("="))
        if not equals:
            problems.append(_line_problem(file, number, "write a name, '=' and its label"))
        elif not name:
            problems.append(_line_problem(file, number, "there is no name before '='"))
        elif not label:
            problems.append(_line_problem(file, number, "there is no label after '='"))
        elif "=" in label:
            problems.append(_line_problem(file, number, "write one '=' per line"))
        elif len(name) < 2:
            problems.append(
                _line_problem(
                    file, number, "a name of one character would replace every such letter"
                )
            )
        elif len(name) > MAX_NAME_CHARS:
            problems.append(
                _line_problem(file, number, f"the name is longer than {MAX_NAME_CHARS} characters")
            )
        elif len(label) > MAX_LABEL_CHARS:
            problems.append(
                _line_problem(
                    file, number, f"the label is longer than {MAX_LABEL_CHARS} characters"
                )
            )
        else:
            key = _name_key(name)
            if key in first_line and first_line[key][1] != label:
                problems.append(
                    _line_problem(
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


def _line_problem(file: str, line: int, message: str) -> Problem:
    return Problem(file, f"line {line}: {message}")


# ---------------------------------------------------------------------------------------------
# Speaker labels


@dataclass(frozen=True, slots=True)
class _Label:
    speaker: str
    spoken_from: int  # offset in the line where the spoken words may begin


class _LabelReader:
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

    def read(self, line: str) -> _Label | None:
        if self.pattern is not None:
            match = self.pattern.match(line[:LABEL_WINDOW])
            if match is None or match.group(1) is None:
                return None
            speaker = " ".join(match.group(1).split())
            if not speaker or not _short_enough(speaker):
                return None
            return _Label(speaker, match.end())
        for style in (_BRACKET, _DASH, _COLON, _TIMED):
            match = style.match(line[:LABEL_WINDOW])
            if match is not None:
                speaker = " ".join(match.group("label").split())
                if is_speaker_label(speaker):
                    return _Label(speaker, match.end())
        return None


def is_speaker_label(label: str) -> bool:
    """Whether ``label`` passes the built-in rule for a speaker label (see :class:`_LabelReader`).

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
    reader = _LabelReader(speaker_pattern)
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


# ---------------------------------------------------------------------------------------------
# Reading files


def read_transcript(
    data: bytes,
    filename: str,
    *,
    speaker_pattern: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Transcript:
    """The transcript in ``data``, a .txt, .docx or WebVTT (.vtt) file called ``filename``.

    Text files are UTF-8 (a byte order mark is allowed) or UTF-16 with a byte order mark. A .docx
    gives its paragraphs and its tables' text in document order, one line each; a table row
    whose first cell is a speaker label reads "label: the other cells". A .vtt gives its cues
    without timings, cue ids or NOTE, STYLE and REGION blocks; ``<v Speaker>`` voice tags and
    "Speaker:" prefixes name the speaker, a cue without one continues the previous speaker, and
    consecutive cues of one speaker are merged into one turn written "Speaker: words".

    Line endings become "\\n" and the text is put in Unicode NFC form. ``names`` (see
    :func:`pseudonymise`) are replaced before the speaker labels are read, so a label is
    replaced too. ``speaker_pattern`` replaces the built-in label styles (see
    :func:`compile_speaker_pattern`).

    Raises :class:`TranscriptError` naming the file (and the line, where there is one) for an
    unknown kind of file, a file too large, text that is not UTF-8, a damaged .docx or a .vtt
    without its WEBVTT header.
    """
    kind = PurePath(filename).suffix.lower()
    if kind not in (".txt", ".docx", ".vtt"):
        hint = " (save it as .docx)" if kind == ".doc" else ""
        raise TranscriptError(
            [
                Problem(
                    filename,
                    f"imheval reads transcripts from .txt, .docx and .vtt files{hint}",
                )
            ]
        )
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(
            [
                Problem(
                    filename,
                    f"is {len(data) / 1e6:,.1f} MB; a transcript may be at most "
                    f"{MAX_TRANSCRIPT_BYTES / 1e6:,.0f} MB",
                )
            ]
        )
    if speaker_pattern is not None:
        compile_speaker_pattern(speaker_pattern)
    names = names or {}
    if kind == ".vtt":
        return _from_cues(_read_vtt(_decode(data, filename), filename, speaker_pattern), names)
    text = _decode(data, filename) if kind == ".txt" else _read_docx(data, filename)
    return _from_text(text, names, speaker_pattern)


def _from_text(text: str, names: Mapping[str, str], speaker_pattern: str | None) -> Transcript:
    clean, replaced = pseudonymise(_normalise(text), names)
    turns, warnings = find_turns(clean, speaker_pattern=speaker_pattern)
    speakers = _first_appearance(turns)
    return Transcript(clean, turns, speakers, replaced, warnings + _name_warnings(speakers))


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", _normalise_newlines(text))


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _first_appearance(turns: Sequence[SpeakerTurn]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(turn.speaker for turn in turns))


def _name_warnings(speakers: Sequence[str]) -> tuple[str, ...]:
    """A warning for speaker labels that may be real names (neither code-like nor a role)."""
    doubtful = [
        speaker
        for speaker in speakers
        if not _CODE_LIKE.fullmatch(speaker)
        and speaker.casefold() not in ROLE_LABELS
        and not (speaker.startswith("[") and speaker.endswith("]"))
    ]
    if not doubtful:
        return ()
    return (
        f"Check that these speaker labels are not real names: {', '.join(doubtful)}. "
        "List any real name with its label (such as 'Sarah = PX1') so it is replaced.",
    )


def _decode(data: bytes, filename: str) -> str:
    """UTF-8 text (a byte order mark dropped), or UTF-16 with its byte order mark."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].decode("utf-16", errors="replace").count("\n") + 1
            raise TranscriptError(
                [_line_problem(filename, line, "is not valid UTF-16 text")]
            ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TranscriptError(
            [
                _line_problem(
                    filename,
                    line,
                    f"is not UTF-8 text (byte 0x{data[exc.start]:02X}); save the file as "
                    "UTF-8 (in Word or Notepad: Save As, Encoding UTF-8) and try again",
                )
            ]
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise TranscriptError(
            [_line_problem(filename, line, "holds a NUL character, so it is not a text file")]
        )
    return text


def _read_docx(data: bytes, filename: str) -> str:
    """The paragraphs and tables of a .docx, in document order, one line per paragraph."""
    _check_docx_archive(data, filename)
    import docx  # imported here so reading .txt does not pay for it
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        body = document.element.body
        for child in body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(child, document).text)
            elif tag == "tbl":
                lines.extend(_table_lines(Table(child, document)))
    except TranscriptError:
        raise
    except Exception as exc:  # python-docx raises many types for damaged parts; none may escape
        raise TranscriptError(
            [Problem(filename, f"cannot be read as a Word document (.docx): {exc}")]
        ) from None
    return "\n".join(lines)


def _table_lines(table: Any) -> Iterator[str]:
    """A table's cells, one line each; in a transcript table (more than half its rows start
    with a speaker label and have words beside it) those rows read "label: the other cells"."""
    rows = [_row_cells(row) for row in table.rows]
    rows = [cells for cells in rows if cells]
    speaking = [
        len(cells) >= 2 and "\n" not in cells[0] and is_speaker_label(cells[0].rstrip(":"))
        for cells in rows
    ]
    transcript_table = sum(speaking) * 2 > len(rows)
    for cells, speaks in zip(rows, speaking, strict=True):
        if transcript_table and speaks:
            yield f"{cells[0].rstrip(':')}: " + "\n".join(cells[1:])
        else:
            yield from cells


def _row_cells(row: Any) -> list[str]:
    """A row's non-empty cells, without cells that are only a time ("00:01:10")."""
    cells: list[str] = []
    seen: set[int] = set()
    for cell in row.cells:  # a merged cell appears once per grid column it spans
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        text = cell.text.strip()
        if text and not _TIMESTAMP_CELL.fullmatch(text):
            cells.append(text)
    return cells


def _check_docx_archive(data: bytes, filename: str) -> None:
    """Refuse a .docx whose zip directory promises too many entries or bytes, or a bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise TranscriptError(
            [Problem(filename, "is not a Word document (.docx): it is not a valid zip file")]
        ) from None
    with archive:
        entries = archive.infolist()
    if len(entries) > MAX_DOCX_ENTRIES:
        raise TranscriptError(
            [Problem(filename, f"holds {len(entries):,} parts, too many for a Word document")]
        )
    total = sum(entry.file_size for entry in entries)
    if total > MAX_DOCX_UNCOMPRESSED_BYTES:
        raise TranscriptError(
            [
                Problem(
                    filename,
                    f"expands to {total / 1e6:,.0f} MB; a transcript may expand to at most "
                    f"{MAX_DOCX_UNCOMPRESSED_BYTES / 1e6:,.0f} MB",
                )
            ]
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > _DOCX_RATIO_EXEMPT_BYTES and ratio > MAX_DOCX_RATIO:
            raise TranscriptError(
                [
                    Problem(
                        filename,
                        f"is not a normal Word document: its part '{entry.filename}' expands "
                        f"{ratio:,.0f} times",
                    )
                ]
            )


# WebVTT ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Cue:
    speaker: str | None
    text: str


_VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
_TAG = re.compile(r"</?[^>]*>")


def _read_vtt(text: str, filename: str, speaker_pattern: str | None) -> list[_Cue]:
    """The cues of a WebVTT file: speaker (or None) and words, in order."""
    lines = _normalise(text).split("\n")
    if not re.match(r"WEBVTT(?:[ \t]|$)", lines[0]):
        raise TranscriptError(
            [_line_problem(filename, 1, "a WebVTT (.vtt) file must start with WEBVTT")]
        )
    reader = _LabelReader(speaker_pattern)
    cues: list[_Cue] = []
    block: list[tuple[int, str]] = []
    for number, line in enumerate([*lines, ""], start=1):
        if line.strip():
            block.append((number, line))
            continue
        if block:
            cues.extend(_vtt_block(block, filename, reader))
            block = []
    return cues


def _vtt_block(block: list[tuple[int, str]], filename: str, reader: _LabelReader) -> list[_Cue]:
    first = block[0][1]
    if first.startswith("WEBVTT") or re.match(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)", first):
        return []
    timing = next((i for i, (_, line) in enumerate(block) if "-->" in line), None)
    if timing is None or timing > 1:
        raise TranscriptError(
            [
                _line_problem(
                    filename,
                    block[0][0],
                    "this block is not a cue: a cue has a timing line such as "
                    "'00:00:01.000 --> 00:00:04.000'",
                )
            ]
        )
    cues: list[_Cue] = []
    speaker: str | None = None
    words: list[str] = []

    def flush() -> None:
        if words:
            cues.append(_Cue(speaker, " ".join(words)))
            words.clear()

    voiced = False  # a cue with a <v> tag takes its speakers from the tags alone
    for number, line in block[timing + 1 :]:
        for part_speaker, part in _voices(line, filename, number):
            if part_speaker is not None:
                flush()
                speaker, voiced = part_speaker, True
            plain = html.unescape(_TAG.sub("", part)).strip()
            label = reader.read(plain) if plain and not voiced else None
            if label is not None:
                flush()
                speaker = label.speaker
                plain = plain[label.spoken_from :].strip()
            if plain:
                words.append(plain)
    flush()
    return cues


def _voices(line: str, filename: str, number: int) -> list[tuple[str | None, str]]:
    """A cue line split at its ``<v Speaker>`` tags: (speaker or None, the words after it)."""
    parts: list[tuple[str | None, str]] = []
    position = 0
    speaker: str | None = None
    for match in _VOICE.finditer(line):
        parts.append((speaker, line[position : match.start()]))
        speaker = " ".join(html.unescape(match.group(1)).split())
        if not speaker:
            speaker = None
        elif len(speaker) > MAX_LABEL_CHARS:
            raise TranscriptError(
                [
                    _line_problem(
                        filename,
                        number,
                        f"a speaker's name in a <v> tag is longer than {MAX_LABEL_CHARS} "
                        "characters",
                    )
                ]
            )
        position = match.end()
    parts.append((speaker, line[position:]))
    # The first part carries no new speaker; later ones carry the tag's.
    return [(None, parts[0][1]), *parts[1:]]


def _from_cues(cues: list[_Cue], names: Mapping[str, str]) -> Transcript:
    """A transcript from cues: consecutive cues of one speaker merged into one turn."""
    merged: list[tuple[str | None, int, list[str]]] = []  # speaker, names in it, words
    speaker: str | None = None
    in_label = 0
    replaced = 0
    for cue in cues:
        if cue.speaker is not None:
            speaker, in_label = pseudonymise(cue.speaker, names)
        words, count = pseudonymise(cue.text, names)
        replaced += count
        if merged and merged[-1][0] == speaker:
            merged[-1][2].append(words)
        else:
            merged.append((speaker, in_label, [words]))
    parts: list[str] = []
    turns: list[SpeakerTurn] = []
    offset = 0
    for turn_speaker, label_names, words_list in merged:
        words = " ".join(words_list)
        if turn_speaker is None:
            parts.append(words)
        else:
            # The label is written once per turn, so its replaced names count once per turn.
            replaced += label_names
            start = offset + len(turn_speaker) + 2
            turns.append(SpeakerTurn(start, start + len(words), turn_speaker))
            parts.append(f"{turn_speaker}: {words}")
        offset += len(parts[-1]) + 2
    text = "\n\n".join(parts)
    speakers = _first_appearance(turns)
    warnings: tuple[str, ...] = ()
    if not turns:
        warnings = ("No speakers were found in the captions' <v> tags or 'Speaker:' prefixes.",)
    return Transcript(text, tuple(turns), speakers, replaced, warnings + _name_warnings(speakers))


# ---------------------------------------------------------------------------------------------
# Open-text answers and the core's types


def answers_source(
    answers: Sequence[tuple[str, str]], *, names: Mapping[str, str] | None = None
) -> Transcript:
    """Open-text answers as one source: each (respondent label, text) one turn.

    Each answer is written "R1: the answer" and answers are separated by a blank line; the turn
    covers the answer (not the label). Empty answers are skipped; line endings are normalised
    and ``names`` are replaced (see :func:`pseudonymise`). Raises :class:`TranscriptError` for
    an empty label or one longer than :data:`MAX_LABEL_CHARS` characters.

    >>> answers_source([("R1", "More time"), ("R2", " "), ("R3", "Nothing")]).text
    'R1: More time\\n\\nR3: Nothing'
    """
    names = names or {}
    parts: list[str] = []
    turns: list[SpeakerTurn] = []
    problems: list[Problem] = []
    offset = 0
    replaced = 0
    for number, (label, answer) in enumerate(answers, start=1):
        label = " ".join(label.split())
        if not label or len(label) > MAX_LABEL_CHARS or "\n" in label:
            problems.append(
                Problem(
                    "the answers",
                    f"answer {number}: a respondent label must be 1 to {MAX_LABEL_CHARS} "
                    "characters",
                )
            )
            continue
        words = _normalise(answer).strip()
        if not words:
            continue
        words, count = pseudonymise(words, names)
        replaced += count
        if parts:
            offset += 2
        prefix = f"{label}: "
        turns.append(SpeakerTurn(offset + len(prefix), offset + len(prefix) + len(words), label))
        parts.append(prefix + words)
        offset += len(prefix) + len(words)
    if problems:
        raise TranscriptError(problems)
    return Transcript("\n\n".join(parts), tuple(turns), _first_appearance(turns), replaced)


def case_guid(source_name: str, label: str) -> str:
    """The stable GUID of speaker ``label`` in the source called ``source_name``."""
    return stable_guid(source_name, label)


def to_source(transcript: Transcript, name: str, guid: str | None = None) -> Source:
    """The transcript as a core :class:`~imheval.qualitative.model.Source` called ``name``.

    Each turn's speaker is the GUID of its case (see :func:`to_cases`); ``guid`` defaults to a
    new random GUID.
    """
    turns = tuple(Turn(t.start, t.end, case_guid(name, t.speaker)) for t in transcript.turns)
    return Source(guid=guid or new_guid(), name=name, text=transcript.text, turns=turns)


def to_cases(transcript: Transcript, source: Source) -> tuple[Case, ...]:
    """The transcript's speakers as cases of ``source`` (made by :func:`to_source`)."""
    return tuple(
        Case(guid=case_guid(source.name, speaker), name=speaker, sources=(source.guid,))
        for speaker in transcript.speakers
    )
