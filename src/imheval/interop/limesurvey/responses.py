"""Reading LimeSurvey response exports (CSV) into imheval responses.

LimeSurvey writes responses (Responses > Export > Export results, CSV) with one of these
headings, all read here:

- **question code** (recommended): ``code``, ``KA01``, an array's row ``SEgrid[SE01]``, a dual
  scale's ``Q[SQ][1]``, an "Other" box ``Q[other]``;
- **full question text**, as the "R (data file)" export also writes it (with a byte-order
  mark): the question's text, an array row as ``question [row]``; matched to the structure's
  question texts ignoring case and spacing.

Answers may be answer codes (``a``, ``A1``, ``Y``) or full answer texts; both are mapped to
imheval's option codes through the structure. An answer already written as imheval's code is
that answer: a full-text export writes an unlabelled point of a rating scale as its number (the
.lss of imheval's -2..2 scale answers ``m1`` with the text ``-1``). LimeSurvey writes the full
answers of yes/no questions (and the boxes of multiple choice) in the language chosen for the
export, through its own translations (``Ja``/``Nee`` for Dutch), which the .lss does not hold:
they are read as ``Y``/``N`` for the survey's base language and the responses' start languages
when imheval knows that language's words (:data:`YES_NO`); otherwise each is kept as given
(an invalid answer) and a note says to export with answer codes. LimeSurvey's own columns come
first: ``id``
(``Response ID``), ``submitdate`` (``Date submitted``; blank for a response that was not
finished, which is left out unless incomplete responses are kept), ``lastpage``,
``startlanguage``, ``seed``, ``startdate``, ``datestamp``, and, when the survey records them,
``token``, ``ipaddr`` and ``refurl``, which identify people and are dropped and listed; timings
(``interviewtime``, group and question times) are ignored.

The timepoint of each response comes from the file (``ResponseOptions.timepoints``, one file
per timepoint) or from a timepoint question (the structure's, ``--timepoint-field``, or a
column whose name holds "timepoint"), whose answers are read through ``--events`` or as the
words pre/post/follow-up (imheval's own survey answers ``pre``, ``post``, ``fu``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from imheval.errors import DataFormatError, Problem, list_rows
from imheval.interop.common import (
    CsvRows,
    fold,
    is_identifying,
    lookup,
    read_csv_rows,
    tidy_frame,
    timepoint_word,
)
from imheval.interop.limesurvey.export import TIMEPOINT_ANSWERS
from imheval.interop.model import (
    AnswerMap,
    InstrumentImport,
    Omission,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
)

__all__ = ["read_responses"]

_EXPORT = (
    "in LimeSurvey use Responses > Export > Export results, format CSV, headings "
    "'Question code', responses 'Answer codes'"
)
#: LimeSurvey's own columns (code headings and full-text headings), compared after fold().
_SYSTEM = {
    "id",
    "response id",
    "submitdate",
    "date submitted",
    "lastpage",
    "last page",
    "startlanguage",
    "start language",
    "seed",
    "startdate",
    "date started",
    "datestamp",
    "date last action",
    "interviewtime",
    "total time",
}
_SUBMITTED = {"submitdate", "date submitted"}
#: LimeSurvey's columns that identify a person (dropped).
_IDENTIFYING = {
    "token",
    "ipaddr",
    "ip address",
    "refurl",
    "referrer url",
    "referring url",
    "email",
}
_TIMING = re.compile(
    r"^(grouptime\d*|questiontime\d*|\d+x\d+(x\d+\w*)?time|group time:.*|question time:.*)$"
)
_ROLE_COLUMNS = ("programme", "directorate", "profession")
#: The answers of imheval's own timepoint question (codes and texts), and common short forms.
_TIMEPOINT_ANSWERS = {
    **{fold(code): code if code != "fu" else "followup" for code, _ in TIMEPOINT_ANSWERS},
    **{fold(label): code if code != "fu" else "followup" for code, label in TIMEPOINT_ANSWERS},
    "fup": "followup",
}
_VALID_TIMEPOINTS = {"pre", "post", "followup"}
_TICKS = {"Y", "N"}
_START_LANGUAGE = {"startlanguage", "start language"}
#: LimeSurvey's words for the full answers ``Y`` and ``N`` (its translations of "Yes" and "No"),
#: by language (the part of its language code before "-": ``nl-informal`` is ``nl``). Compared
#: ignoring case and accents.
YES_NO: Mapping[str, tuple[str, str]] = {
    "en": ("Yes", "No"),
    "nl": ("Ja", "Nee"),
    "de": ("Ja", "Nein"),
    "fr": ("Oui", "Non"),
    "es": ("Sí", "No"),
    "it": ("Sì", "No"),
    "pt": ("Sim", "Não"),
    "da": ("Ja", "Nej"),
    "sv": ("Ja", "Nej"),
    "nb": ("Ja", "Nei"),
    "nn": ("Ja", "Nei"),
    "fi": ("Kyllä", "Ei"),
    "et": ("Jah", "Ei"),
    "pl": ("Tak", "Nie"),
}


def read_responses(
    sources: Sequence[SourceFile], structure: InstrumentImport, options: ResponseOptions
) -> ResponsesImport:
    """The responses in LimeSurvey CSV response exports, read with ``structure`` (from the
    survey's .lss, or an imheval instrument through ``maps_for_instrument``).

    Raises :class:`~imheval.errors.DataFormatError` listing every problem (naming the file and
    the row or column) when a file cannot be read, its columns do not match the structure, the
    code or timepoint cannot be found, or no response is left to import.
    """
    state = _State()
    for source in sources:
        try:
            table = read_csv_rows(source)
        except DataFormatError as error:
            state.problems.extend(error.problems)
            continue
        _File(table, structure, options, state).read()
    if state.problems:
        raise DataFormatError(state.problems)
    if not state.records:
        reasons = "; ".join(str(o) for o in state.left_out[:5]) or "the files hold no responses"
        raise DataFormatError(
            [
                Problem(
                    ", ".join(s.name for s in sources) or "(no file)",
                    f"no response is left to import ({reasons})",
                )
            ]
        )
    item_ids = [answer.item for answer in structure.answers]
    return ResponsesImport(
        frame=tidy_frame(state.records, item_ids),
        origins=tuple(state.origins),
        dropped=tuple(dict.fromkeys(state.dropped)),
        left_out=tuple(state.left_out),
        notes=tuple(state.notes),
        complete=tuple(state.complete),
    )


@dataclass
class _State:
    records: list[dict[str, str]] = field(default_factory=list)
    origins: list[tuple[str, int]] = field(default_factory=list)
    complete: list[bool | None] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    left_out: list[Omission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _heading(name: str) -> str:
    """A heading compared as text: entities decoded, case and spacing ignored."""
    return fold(html.unescape(name))


class _File:
    """One export file read into the shared state."""

    def __init__(
        self,
        table: CsvRows,
        structure: InstrumentImport,
        options: ResponseOptions,
        state: _State,
    ) -> None:
        self.table = table
        self.file = table.file
        self.structure = structure
        self.options = options
        self.state = state
        self.headings = [_heading(name) for name in table.header]
        self.claimed: set[int] = set()
        self.identifying: set[int] = set()
        #: the survey's languages (base, and the responses' start languages) and their words
        #: for yes and no (:data:`YES_NO`), set once the columns are known
        self.languages: list[str] = []
        self.yes_no: dict[str, str] = {}

    def problem(self, message: str, column: str | None = None, row: int | None = None) -> None:
        self.state.problems.append(Problem(self.file, message, row=row, column=column))

    def read(self) -> None:
        header = self.table.header
        system = {i for i, h in enumerate(self.headings) if h in _SYSTEM or _TIMING.match(h)}
        tracked = {i for i, h in enumerate(self.headings) if h in _IDENTIFYING}
        self.claimed |= system | tracked
        # Questions first: a full-text heading such as "Name two signs..." is a question, not
        # a name; the structure never makes an identifying question an item.
        items = self._match_items()
        identifying = tracked | {
            i
            for i, name in enumerate(header)
            if i not in self.claimed
            and (
                is_identifying(name)
                or any(fold(name) == fold(known) for known in self.structure.identifying)
            )
        }
        self.claimed |= identifying
        self.identifying = identifying
        self.state.dropped.extend(header[i] for i in sorted(identifying))
        submitted = next((i for i, h in enumerate(self.headings) if h in _SUBMITTED), None)
        if not items:
            expected = _listed([a.source for a in self.structure.answers], 5)
            found = _listed([h for i, h in enumerate(header) if i not in self.claimed and h], 5)
            self.problem(
                "the export's columns do not match the survey structure: none of its columns "
                f"is one of its questions (expected e.g. {expected}; found {found or 'none'}). "
                f"Check you chose the export of this survey; {_EXPORT}"
            )
            return
        code = self._code_column()
        cohort = self._named_column(
            self.options.cohort_field, self.structure.cohort_field, "cohort"
        )
        roles = {role: self._find(role) for role in _ROLE_COLUMNS}
        for position in roles.values():
            if position is not None:
                self.claimed.add(position)
        timepoint, fixed = self._timepoint()
        if code is None or (timepoint is None and fixed is None):
            return
        self._note_columns(items)
        self._languages()
        self._rows(items, code, cohort, roles, submitted, timepoint, fixed)

    def _languages(self) -> None:
        """The survey's languages (its base language, and each response's start language)
        and LimeSurvey's words for yes and no in those imheval knows."""
        found = [self.structure.instrument.language]
        starts = [i for i, h in enumerate(self.headings) if h in _START_LANGUAGE]
        for position in starts:
            found += [cells[position] for _, cells in self.table.rows if len(cells) > position]
        languages = list(dict.fromkeys(_language(name) for name in found if name.strip()))
        words: dict[str, set[str]] = {}
        for language in languages:
            yes, no = YES_NO.get(language, ("", ""))
            for word, code in ((yes, "Y"), (no, "N")):
                if word:
                    words.setdefault(_plain(word), set()).add(code)
        self.languages = languages
        # a word that is yes in one language and no in another is neither
        self.yes_no = {word: next(iter(codes)) for word, codes in words.items() if len(codes) == 1}

    # -- columns ---------------------------------------------------------------------------

    def _find(self, name: str | None) -> int | None:
        if not name:
            return None
        wanted = _heading(name)
        for position, heading in enumerate(self.headings):
            if heading == wanted:
                return position
        return None

    def _match_items(self) -> list[tuple[AnswerMap, int]]:
        """Each of the structure's questions with its column: by code heading, then by
        question text (full-text headings), then ``PARENT[code]`` for a code given alone."""
        answers = list(self.structure.answers)
        texts = {q.id: _heading(q.text) for q in self.structure.instrument.questions}
        found: dict[str, int] = {}
        for answer in answers:
            position = self._find(answer.source)
            if position is not None and position not in self.claimed:
                found[answer.item] = position
                self.claimed.add(position)
        for answer in answers:
            if answer.item in found:
                continue
            text = texts.get(answer.item, "")
            candidates = [
                i
                for i, heading in enumerate(self.headings)
                if i not in self.claimed
                and text
                and (heading == text or heading.endswith(f"[{text}]"))
            ]
            source = _heading(answer.source)
            if not candidates and "[" not in source:
                candidates = [
                    i
                    for i, heading in enumerate(self.headings)
                    if i not in self.claimed
                    and re.fullmatch(r".+\[" + re.escape(source) + r"\]", heading)
                ]
            if len(candidates) == 1:
                found[answer.item] = candidates[0]
                self.claimed.add(candidates[0])
        return [(a, found[a.item]) for a in answers if a.item in found]

    def _code_column(self) -> int | None:
        given = self.options.code_field
        if given:
            position = self._find(given)
            if position is None:
                self.problem(
                    f"the code field '{given}' (--code-field) is not a column of this export; "
                    f"its columns are {_listed(self.table.header)}"
                )
                return None
            if position in self.identifying:
                self.problem(
                    f"the code field '{given}' (--code-field) identifies people, so imheval "
                    "drops it; name the column that holds the self-generated code"
                )
                return None
            self.claimed.add(position)
            return position
        known = self._find(self.structure.code_field)
        if known is not None:
            self.claimed.add(known)
            return known
        candidates = [
            i for i, h in enumerate(self.headings) if i not in self.claimed and "code" in h
        ]
        if len(candidates) == 1:
            self.claimed.add(candidates[0])
            return candidates[0]
        if candidates:
            names = ", ".join(f"'{self.table.header[i]}'" for i in candidates)
            self.problem(
                f"several columns could hold the self-generated code ({names}); name the "
                "right one with --code-field"
            )
        else:
            others = [h for i, h in enumerate(self.table.header) if i not in self.claimed]
            self.problem(
                "no column holds the self-generated code (none has 'code' in its name); name "
                f"it with --code-field (the columns that are not questions: {_listed(others)})"
            )
        return None

    def _named_column(self, given: str | None, known: str | None, name: str) -> int | None:
        if given:
            position = self._find(given)
            if position is None:
                self.problem(
                    f"the {name} field '{given}' is not a column of this export; its columns "
                    f"are {_listed(self.table.header)}"
                )
            else:
                self.claimed.add(position)
            return position
        position = self._find(known) if known else None
        position = position if position is not None else self._find(name)
        if position is not None:
            self.claimed.add(position)
        return position

    def _timepoint(self) -> tuple[int | None, str | None]:
        """The timepoint column, or the file's fixed timepoint."""
        named = lookup(self.options.timepoints, self.file)
        if named is not None:
            fixed = timepoint_word(named) or named
            if fixed not in _VALID_TIMEPOINTS:
                self.problem(
                    f"the timepoint given for this file, '{named}', is not pre, post or followup"
                )
                return None, None
            column = self._timepoint_column(required=False)
            return column, fixed
        column = self._timepoint_column(required=True)
        return column, None

    def _timepoint_column(self, *, required: bool) -> int | None:
        given = self.options.timepoint_field
        if given:
            position = self._find(given)
            if position is None and required:
                self.problem(
                    f"the timepoint field '{given}' is not a column of this export; its "
                    f"columns are {_listed(self.table.header)}"
                )
        else:
            position = self._find(self.structure.timepoint_field)
            if position is None:
                found = [
                    i
                    for i, h in enumerate(self.headings)
                    if i not in self.claimed and "timepoint" in h
                ]
                position = found[0] if len(found) == 1 else None
            if position is None and required:
                self.problem(
                    "no timepoint: give each file's timepoint (--timepoint "
                    f"{self.file}=pre, one file per timepoint), or name the question that "
                    "holds it (--timepoint-field)"
                )
        if position is not None:
            self.claimed.add(position)
        return position

    def _note_columns(self, items: list[tuple[AnswerMap, int]]) -> None:
        header = self.table.header
        unkeyed = {_heading(q.source) for q in self.structure.unkeyed} | {
            _heading(q.text) for q in self.structure.unkeyed
        }
        ignored = [h for i, h in enumerate(header) if i not in self.claimed and h.strip()]
        waiting = [h for h in ignored if _heading(h) in unkeyed]
        ignored = [h for h in ignored if _heading(h) not in unkeyed]
        if waiting:
            self.state.notes.append(
                f"{self.file}: {len(waiting)} column(s) hold questions with no answer key yet, "
                f"so their answers were left out (give their keys with --key): "
                f"{_listed(waiting)}"
            )
        if ignored:
            self.state.notes.append(
                f"{self.file}: {len(ignored)} column(s) are not questions imheval carries and "
                f"were ignored: {_listed(ignored)}"
            )
        matched = {answer.item for answer, _ in items}
        missing = [a.source for a in self.structure.answers if a.item not in matched]
        if missing:
            self.state.notes.append(
                f"{self.file}: {len(missing)} question(s) of the structure are not in the "
                f"export, so their answers are blank: {_listed(missing)}"
            )

    # -- rows ------------------------------------------------------------------------------

    def _rows(
        self,
        items: list[tuple[AnswerMap, int]],
        code: int,
        cohort: int | None,
        roles: Mapping[str, int | None],
        submitted: int | None,
        timepoint: int | None,
        fixed: str | None,
    ) -> None:
        unknown: dict[tuple[str, str], list[int]] = {}
        unmapped: dict[str, list[int]] = {}
        boxes = _tick_boxes(items)
        kept: list[tuple[int, dict[str, str], bool | None]] = []
        for number, cells in self.table.rows:
            where = f"{self.file}, row {number}"
            finished = bool(cells[submitted].strip()) if submitted is not None else None
            if finished is False and not self.options.keep_incomplete:
                self.state.left_out.append(
                    Omission(
                        where,
                        "not finished (its submitdate is blank), so this response was left "
                        "out; keep incomplete responses (--keep-incomplete) to include it",
                    )
                )
                continue
            participant = cells[code].strip()
            if not participant:
                self.state.left_out.append(Omission(where, "no self-generated code; left out"))
                continue
            when = fixed
            if when is None and timepoint is not None:
                raw = cells[timepoint].strip()
                when = self._timepoint_of(raw)
                if when is None:
                    unmapped.setdefault(raw, []).append(number)
                    self.state.left_out.append(
                        Omission(
                            where,
                            f"its timepoint answer '{raw}' is not pre, post or followup; "
                            f"left out (map it with --events {raw or 'ANSWER'}=pre)",
                        )
                    )
                    continue
            record = {
                "participant": participant,
                "cohort": self._cohort(cells, cohort),
                "timepoint": when or "",
            }
            for role, position in roles.items():
                if position is not None:
                    record[role] = cells[position].strip()
            for answer, position in items:
                record[answer.item] = self._answer(answer, cells[position], unknown, number)
            _fill_unticked(record, boxes)
            kept.append((number, record, finished))
        if timepoint is not None and fixed is None and unmapped and not kept:
            seen = ", ".join(f"'{value}'" for value in list(unmapped)[:8])
            self.problem(
                f"no timepoint answer could be read (answers seen: {seen}); map them with "
                "--events ANSWER=pre (or post, followup)",
                column=self.table.header[timepoint],
            )
            return
        for number, record, finished in kept:
            self.state.records.append(record)
            self.state.origins.append((self.file, number))
            self.state.complete.append(finished)
        for (item, value), rows in unknown.items():
            self.state.notes.append(
                f"{self.file}: answer '{value}' to {item} is not one of its options, so it "
                f"counts as an invalid answer ({list_rows(rows)})"
            )
        self._note_yes_no(items, unknown)

    def _note_yes_no(
        self, items: list[tuple[AnswerMap, int]], unknown: Mapping[tuple[str, str], list[int]]
    ) -> None:
        """One note per yes/no question whose answers were not read: LimeSurvey wrote them in a
        language whose words imheval does not know."""
        known = ", ".join(language for language in self.languages if language in YES_NO)
        languages = ", ".join(self.languages) or "not given"
        for answer, _ in items:
            if not _is_yes_no(answer):
                continue
            values = [value for (item, value) in unknown if item == answer.source]
            if not values:
                continue
            self.state.notes.append(
                f"{self.file}: {answer.source} is a yes/no question, and its answers "
                f"{_listed(values, 5)} are not yes or no in the words imheval knows. "
                "LimeSurvey writes yes and no in the language chosen for the export; imheval "
                f"knows them in {known or 'none'} of the survey's languages ({languages}). "
                "Export the responses again with 'Answer codes' (Y and N) to read them"
            )

    def _cohort(self, cells: tuple[str, ...], position: int | None) -> str:
        if position is not None:
            return cells[position].strip()
        return self.options.cohort or ""

    def _timepoint_of(self, raw: str) -> str | None:
        mapped = lookup(self.options.events, raw)
        if mapped is not None:
            word = timepoint_word(mapped) or mapped
            return word if word in _VALID_TIMEPOINTS else None
        return _TIMEPOINT_ANSWERS.get(fold(raw)) or timepoint_word(raw)

    def _answer(
        self,
        answer: AnswerMap,
        raw: str,
        unknown: dict[tuple[str, str], list[int]],
        number: int,
    ) -> str:
        value = raw.strip()
        if not value or not answer.codes:
            return raw if not answer.codes else value
        mapped = answer.codes.get(value)
        if mapped is None:
            wanted = fold(value)
            mapped = next((v for k, v in answer.codes.items() if fold(k) == wanted), None)
        if mapped is None and re.fullmatch(r"m\d+", value):
            # imheval's .lss codes a negative rating -N as mN (LimeSurvey allows no minus).
            mapped = answer.codes.get("-" + value[1:])
        if mapped is None and value in answer.codes.values():
            # already imheval's code: a full-text export writes an unlabelled point as its
            # number (the answer m1's text is -1)
            mapped = value
        if mapped is None and self.yes_no and _is_yes_no(answer):
            mapped = self.yes_no.get(_plain(value))
        if mapped is None:
            unknown.setdefault((answer.source, value), []).append(number)
            return value
        return mapped


def _language(name: str) -> str:
    """A LimeSurvey language code's language: ``nl-informal`` → ``nl``, ``pt-BR`` → ``pt``."""
    return name.strip().replace("_", "-").split("-", 1)[0].casefold()


def _plain(text: str) -> str:
    """``text`` compared ignoring case, spacing and accents (``Sí`` is ``si``)."""
    decomposed = unicodedata.normalize("NFKD", fold(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _is_yes_no(answer: AnswerMap) -> bool:
    """Whether a question's answers are LimeSurvey's Y and N (a yes/no question, or a box of a
    multiple choice question)."""
    return set(answer.codes.values()) == _TICKS


def _tick_boxes(items: list[tuple[AnswerMap, int]]) -> dict[str, list[str]]:
    """The item ids of multiple choice boxes (answers Y/N), by their question's code."""
    boxes: dict[str, list[str]] = {}
    for answer, _ in items:
        if set(answer.codes.values()) == _TICKS and "[" in answer.source:
            boxes.setdefault(answer.source.split("[", 1)[0], []).append(answer.item)
    return boxes


def _fill_unticked(record: dict[str, str], boxes: Mapping[str, list[str]]) -> None:
    """A box left blank in a multiple choice question where another box is ticked was seen and
    not ticked (N); with no box ticked the question was not answered (blank)."""
    for items in boxes.values():
        if any(record.get(item) == "Y" for item in items):
            for item in items:
                if not record.get(item):
                    record[item] = "N"


def _short(name: str, limit: int = 60) -> str:
    """A column name for a message: full-text headings can be paragraphs long."""
    text = " ".join(name.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _listed(names: Sequence[str], limit: int = 10) -> str:
    shown = ", ".join(f"'{_short(name)}'" for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
