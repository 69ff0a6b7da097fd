"""Transcripts and open-text answers as pseudonymised plain text with speaker turns.

:func:`read_transcript` reads a focus group or interview from a .txt, .docx or WebVTT (.vtt)
file; :func:`answers_source` turns open-text answers into the same shape. Either way the caller
gets a :class:`Transcript`: the text, the speaker turns as code point offsets into it (end
exclusive, so ``text[turn.start:turn.end]`` is exactly what was said, without the label), the
speakers in order of first appearance, and how many names were replaced.

Names are replaced before anything is returned:
:func:`~imheval.qualitative.pseudonyms.pseudonymise` runs over the whole text first and the
speaker labels are read from its result, so "Sarah:" becomes the speaker "PX1". The
key (the mapping of names to labels) is never part of a result.

The rule for speaker labels and a user's pattern are in :mod:`imheval.qualitative.speaker_turns`;
replacing names and reading the list of names in :mod:`imheval.qualitative.pseudonyms`.

Threat model: a transcript is a file from outside. Its size is bounded, a .docx is checked as a
zip before python-docx opens it (entries, expanded size, ratio) and python-docx's XML parser does
not resolve entities; a user's speaker pattern is checked as
:func:`~imheval.qualitative.speaker_turns.compile_speaker_pattern` describes.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Final

from imheval.errors import Problem, TranscriptError
from imheval.qualitative.model import Case, Source, Turn, new_guid, stable_guid
from imheval.qualitative.pseudonyms import (
    line_problem,
    normalise_newlines,
    parse_names,
    pseudonymise,
)
from imheval.qualitative.speaker_turns import (
    CODE_LIKE,
    LABEL_WINDOW,
    MAX_LABEL_CHARS,
    TIME_PATTERN,
    LabelReader,
    SpeakerTurn,
    compile_speaker_pattern,
    find_turns,
    is_speaker_label,
)

#: What callers use; pseudonymisation and speaker turns live in their own modules and are
#: offered here too, as the one door for reading transcripts.
__all__ = [
    "LABEL_WINDOW",
    "MAX_LABEL_CHARS",
    "MAX_TRANSCRIPT_BYTES",
    "SpeakerTurn",
    "Transcript",
    "answers_source",
    "case_guid",
    "compile_speaker_pattern",
    "find_turns",
    "is_speaker_label",
    "parse_names",
    "pseudonymise",
    "read_transcript",
    "to_cases",
    "to_source",
]

#: The largest transcript file read (a 20,000-word transcript is about 120 kB as text).
MAX_TRANSCRIPT_BYTES: Final = 20_000_000
#: The most bytes a .docx's zip entries may expand to, and the highest ratio of a large entry.
MAX_DOCX_UNCOMPRESSED_BYTES: Final = 200_000_000
MAX_DOCX_RATIO: Final = 100
_DOCX_RATIO_EXEMPT_BYTES: Final = 1_000_000
MAX_DOCX_ENTRIES: Final = 2_000

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
_TIMESTAMP_CELL = re.compile(TIME_PATTERN)


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
    return unicodedata.normalize("NFC", normalise_newlines(text))


def _first_appearance(turns: Sequence[SpeakerTurn]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(turn.speaker for turn in turns))


def doubtful_labels(speakers: Sequence[str]) -> tuple[str, ...]:
    """The speaker labels that may be real people's names: neither code-like ("PX2", "P 3"),
    nor a role ("Facilitator"), nor bracketed ("[Speaker]"). Also used on speaker (case) names
    imported from other tools, which arrive as those tools stored them.

    Examples
    --------
    >>> doubtful_labels(["PX1", "Facilitator", "Sarah", "[Nurse]"])
    ('Sarah',)
    """
    return tuple(
        speaker
        for speaker in speakers
        if not CODE_LIKE.fullmatch(speaker)
        and speaker.casefold() not in ROLE_LABELS
        and not (speaker.startswith("[") and speaker.endswith("]"))
    )


def _name_warnings(speakers: Sequence[str]) -> tuple[str, ...]:
    """A warning for speaker labels that may be real names (neither code-like nor a role)."""
    doubtful = doubtful_labels(speakers)
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
                [line_problem(filename, line, "is not valid UTF-16 text")]
            ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TranscriptError(
            [
                line_problem(
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
            [line_problem(filename, line, "holds a NUL character, so it is not a text file")]
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
            [line_problem(filename, 1, "a WebVTT (.vtt) file must start with WEBVTT")]
        )
    reader = LabelReader(speaker_pattern)
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


def _vtt_block(block: list[tuple[int, str]], filename: str, reader: LabelReader) -> list[_Cue]:
    first = block[0][1]
    if first.startswith("WEBVTT") or re.match(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)", first):
        return []
    timing = next((i for i, (_, line) in enumerate(block) if "-->" in line), None)
    if timing is None or timing > 1:
        raise TranscriptError(
            [
                line_problem(
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
                    line_problem(
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
