"""Reading FHIR QuestionnaireResponse resources (one, or a Bundle) into imheval responses.

Each file holds one QuestionnaireResponse or a Bundle (``collection``, ``searchset``,
``transaction`` ..., as ``GET [base]/QuestionnaireResponse?questionnaire=[url]`` returns) whose
entries' resources are QuestionnaireResponses; JSON or FHIR XML. For each response:

- answers are found by ``linkId`` at any depth (groups, and items nested in answers) and
  translated through the structure's :class:`~imheval.interop.model.AnswerMap`: a
  ``valueCoding`` by its ``code`` (its ``system`` may be missing), else its ``display``;
  ``valueString``, ``valueInteger``, ``valueBoolean``, ``valueDecimal`` as written. An answer
  that is not one of the question's options is kept as given (imheval scores it "invalid") and
  noted;
- the response's ``questionnaire`` (``url|version``) is checked against the structure's: a
  different Questionnaire or version is a problem naming the entries; a response that names no
  Questionnaire is noted (its answers are read by linkId all the same);
- the self-generated code is the answer to the structure's code item (``--code-field``
  overrides; else the one linkId answered in text that contains "code"); the cohort the answer
  to a ``cohort`` item (``--cohort-field``), else ``--cohort``; programme, directorate and
  profession the answers to items of those names;
- the timepoint comes from, in order: the file (``--timepoint FILE=pre``); the timepoint item
  (``--timepoint-field``, else the structure's, else a ``timepoint`` item), its answer mapped by
  ``--events`` or read as a word (pre, post, follow-up, baseline ...); a ``meta.tag`` code that
  ``--events`` maps (or that is such a word). A response with none is left out (and listed),
  unless none has one at all: then nothing is imported and the message says how to give it;
- ``status`` other than completed or amended: left out (and listed) unless incomplete
  responses are kept; ``entered-in-error`` is always left out;
- ``subject``, ``author``, ``source`` and ``encounter`` reference people (or their visits):
  never read, and listed in ``dropped``; so are items whose linkId identifies (email, name ...);
- a stored total (an item the Questionnaire calculates) is not used: imheval scores the answers
  itself; where it disagrees with the answers' scores, a note says so.

Everything wrong (a resource of another type, an STU3 response, an answer with no value or a
value of the wrong type, an item answered twice, a response to another Questionnaire) is
collected over every file and raised together in one :class:`~imheval.errors.DataFormatError`
naming the file, the Bundle entry and the linkId; nothing is imported.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from imheval.errors import DataFormatError, Problem, ProblemsError
from imheval.instruments import KeyedItem, RatingItem
from imheval.interop.common import fold, is_identifying, lookup, tidy_frame
from imheval.interop.fhir._resource import (
    Node,
    a_resource,
    load_resource,
    nodes,
    text,
    version_problem,
    whole,
)
from imheval.interop.fhir._response_values import (
    LISTED,
    Answer,
    Response,
    as_plain,
    entries_of,
    first_text,
    listing,
    match_link,
    read_answer,
    to_timepoint,
    translate,
)
from imheval.interop.fhir.questionnaire import CALCULATED
from imheval.interop.model import (
    AnswerMap,
    InstrumentImport,
    Omission,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
)

__all__ = ["read_responses"]

_KEPT = ("completed", "amended")
_PEOPLE = ("subject", "author", "source", "encounter")
_CONTEXT = ("programme", "directorate", "profession")


def read_responses(
    sources: Sequence[SourceFile], structure: InstrumentImport, options: ResponseOptions
) -> ResponsesImport:
    """The responses in FHIR QuestionnaireResponse files (one resource or a Bundle each), in
    imheval's tidy layout, read with ``structure`` (the Questionnaire's import) and ``options``
    (see the module docstring).

    Raises :class:`~imheval.errors.DataFormatError` listing every problem in every file (each
    naming the file, the Bundle entry and the linkId); nothing is imported then.
    """
    reader = _Reader(structure, options)
    for source in sources:
        reader.read_file(source)
    return reader.finish()


def _error(problems: list[Problem]) -> ProblemsError:
    return DataFormatError(problems)


class _Reader:
    def __init__(self, structure: InstrumentImport, options: ResponseOptions) -> None:
        self.structure = structure
        self.options = options
        self.instrument = structure.instrument
        self.maps = {a.item: a for a in structure.answers}
        self.sources = {a.source: a for a in structure.answers}
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.responses: list[Response] = []
        #: Every response with a status, its answers read or not: the Questionnaire each names
        #: is checked for all of them, so a wrong version is reported beside broken answers.
        self.named: list[Response] = []
        self.ignored: dict[str, int] = {}
        self.dropped: dict[str, None] = {}
        self.file_timepoints: dict[str, str] = {}

    # --- reading the files ------------------------------------------------------------------

    def read_file(self, source: SourceFile) -> None:
        try:
            resource = load_resource(source, _error)
        except DataFormatError as problem:
            self.problems.extend(problem.problems)
            return
        kind = str(resource.get("resourceType"))
        if kind == "Bundle":
            self._bundle(source.name, resource)
        elif kind == "QuestionnaireResponse":
            self._response(source.name, 1, False, resource)
        else:
            self.problems.append(Problem(file=source.name, message=_not_responses(kind)))
            return
        self._file_timepoint(source.name)

    def _bundle(self, file: str, bundle: Node) -> None:
        if any(text(link, "relation") == "next" for link in nodes(bundle, "link")):
            self.notes.append(
                f"{file} is one page of a search (the Bundle links to a next page): only the "
                "responses in it were read; fetch every page (follow the 'next' links, or ask "
                "for more per page with _count) and give them all"
            )
        for number_, entry in enumerate(nodes(bundle, "entry"), start=1):
            resource = entry.get("resource")
            if not isinstance(resource, dict):
                if entry.get("request") is None:
                    self.problems.append(
                        Problem(file=file, message=f"entry {number_} holds no resource")
                    )
                continue
            kind = str(resource.get("resourceType"))
            if kind == "QuestionnaireResponse":
                self._response(file, number_, True, resource)
            else:
                self.ignored[f"{a_resource(kind)} (not a response)"] = (
                    self.ignored.get(f"{a_resource(kind)} (not a response)", 0) + 1
                )

    def _response(self, file: str, entry: int, in_bundle: bool, resource: Node) -> None:
        where = f"entry {entry}: " if in_bundle else ""
        problem = version_problem(resource)
        if problem is not None:
            self.problems.append(Problem(file=file, message=where + problem))
            return
        status = text(resource, "status")
        if status is None:
            self.problems.append(
                Problem(
                    file=file,
                    message=f"{where}the QuestionnaireResponse has no status (FHIR requires one: "
                    "completed, in-progress ...)",
                )
            )
            return
        for person in _PEOPLE:
            if person in resource:
                self.dropped[person] = None
        response = Response(file, entry, in_bundle, resource, status)
        self.named.append(response)
        before = len(self.problems)
        self._items(response, nodes(resource, "item"), where)
        if len(self.problems) == before:
            self.responses.append(response)

    def _items(self, response: Response, items: list[Node], where: str) -> None:
        links = tuple(text(item, "linkId") or "" for item in items)
        for item in items:
            link = text(item, "linkId")
            if link is None:
                self.problems.append(
                    Problem(file=response.file, message=f"{where}an item has no linkId")
                )
                continue
            if link in response.answers:
                self.problems.append(
                    Problem(
                        file=response.file,
                        message=f"{where}item '{link}' is answered twice in one response",
                    )
                )
                continue
            answers = nodes(item, "answer")
            if answers:
                read: list[Answer] = []
                for answer in answers:
                    parsed = read_answer(answer)
                    if isinstance(parsed, str):
                        self.problems.append(
                            Problem(
                                file=response.file,
                                message=f"{where}item '{link}': {parsed}; fix the response (or "
                                "leave it out) and export again",
                            )
                        )
                        break
                    read.append(parsed)
                else:
                    response.answers[link] = read
                    response.siblings[link] = links
                for answer in answers:
                    self._items(response, nodes(answer, "item"), where)
            self._items(response, nodes(item, "item"), where)

    def _file_timepoint(self, file: str) -> None:
        given = lookup(self.options.timepoints, file)
        if given is None:
            return
        timepoint = to_timepoint(given)
        if timepoint is None:
            self.problems.append(
                Problem(
                    file=file,
                    message=f"the timepoint given for this file, '{given}', is not one imheval "
                    "knows; use pre, post or followup",
                )
            )
            return
        self.file_timepoints[file] = timepoint

    # --- the frame ------------------------------------------------------------------------

    def finish(self) -> ResponsesImport:
        self._check_questionnaire()
        if not self.problems and not self.responses:
            self.problems.append(
                Problem(file=self._files(), message="there are no QuestionnaireResponses to read")
            )
        if self.problems:
            raise DataFormatError(self.problems)
        code_field = self._code_field()
        cohort_field = self._field(self.options.cohort_field, self.structure.cohort_field, "cohort")
        timepoint_field = self._field(
            self.options.timepoint_field, self.structure.timepoint_field, "timepoint"
        )
        self._check_items()
        if self.problems:
            raise DataFormatError(self.problems)
        assert code_field is not None
        context = self._context_fields()
        identifying = self._identifying(
            {code_field, cohort_field, timepoint_field, *context.values()}
        )
        records: list[dict[str, str]] = []
        origins: list[tuple[str, int]] = []
        complete: list[bool | None] = []
        left_out: list[Omission] = []
        unknown: dict[tuple[str, str], list[int]] = {}
        several: dict[str, list[int]] = {}
        timed: list[tuple[Response, str | None]] = [
            (r, self._timepoint_of(r, timepoint_field)) for r in self.responses
        ]
        if self.problems:
            raise DataFormatError(self.problems)
        if not any(t for _, t in timed):
            raise DataFormatError([Problem(file=self._files(), message=self._no_timepoint())])
        for response, timepoint in timed:
            where = response.where
            if response.status not in _KEPT and (
                not self.options.keep_incomplete or response.status == "entered-in-error"
            ):
                reason = (
                    "entered in error"
                    if response.status == "entered-in-error"
                    else f"not completed (status '{response.status}'); keep incomplete responses "
                    "to include it"
                )
                left_out.append(Omission(where, f"left out: {reason}"))
                continue
            participant = first_text(response, code_field)
            if not participant:
                left_out.append(
                    Omission(where, f"left out: no self-generated code (item '{code_field}')")
                )
                continue
            if timepoint is None:
                left_out.append(Omission(where, f"left out: {self._why_no_timepoint(response)}"))
                continue
            record = {
                "participant": participant,
                "cohort": (first_text(response, cohort_field) if cohort_field else "")
                or self.options.cohort
                or "",
                "timepoint": timepoint,
            }
            for name, link in context.items():
                record[name] = first_text(response, link)
            for question in self.instrument.questions:
                answer_map = self.maps.get(question.id)
                if answer_map is None:
                    continue
                value = self._value(response, answer_map, unknown, several)
                record[question.id] = value
            records.append(record)
            origins.append((response.file, response.entry))
            complete.append(response.status in _KEPT)
        self._note_totals()
        self._note_unknown(unknown, several)
        self._note_ignored(code_field, cohort_field, timepoint_field, context, identifying)
        people = [p for p in self.dropped if p in _PEOPLE]
        if people:
            self.notes.append(
                f"the responses' {', '.join(people)} references point at people (or their "
                "visits): they were not read, and nothing of them is stored"
            )
        items = [p for p in self.dropped if p not in _PEOPLE]
        if items:
            self.notes.append(f"items that identify people were dropped: {listing(items)}")
        frame = tidy_frame(records, [q.id for q in self.instrument.questions])
        return ResponsesImport(
            frame=frame,
            origins=tuple(origins),
            dropped=tuple(self.dropped),
            left_out=tuple(left_out),
            notes=tuple(self.notes),
            complete=tuple(complete),
        )

    def _files(self) -> str:
        return ", ".join(dict.fromkeys(r.file for r in self.responses)) or "the responses"

    # --- which Questionnaire ----------------------------------------------------------------

    def _check_questionnaire(self) -> None:
        canonical = self.structure.canonical
        expected_url, _, expected_version = (canonical or "").partition("|")
        own = f"/Questionnaire/{self.instrument.id}"
        mismatched: dict[tuple[str, str], list[int]] = {}
        unnamed = 0
        unchecked: dict[str, None] = {}
        for response in self.named:
            named = text(response.resource, "questionnaire")
            if not named:
                unnamed += 1
                continue
            url, _, version = named.partition("|")
            if expected_url:
                wrong = url.rstrip("/") != expected_url.rstrip("/") or bool(
                    version and expected_version and version != expected_version
                )
            elif url.rstrip("/").endswith(own):
                wrong = bool(version) and version != self.instrument.version
                expected_url, expected_version = url, self.instrument.version
            else:
                unchecked[named] = None
                continue
            if wrong:
                mismatched.setdefault((response.file, named), []).append(response.entry)
        shown = expected_url + (f"|{expected_version}" if expected_version else "")
        for (file, named), entries in mismatched.items():
            in_bundle = any(r.in_bundle for r in self.named if r.file == file)
            one = len(entries) == 1 or not in_bundle
            whose = (
                f"{entries_of(entries)} {'answers' if one else 'answer'}"
                if in_bundle
                else ("this response answers")
            )
            they = "it answers" if one else "these responses answer"
            self.problems.append(
                Problem(
                    file=file,
                    message=f"{whose} the Questionnaire '{named}', but the structure given is "
                    f"'{shown}'; give the Questionnaire (and version) {they}",
                )
            )
        if unnamed:
            self.notes.append(
                f"{unnamed} response(s) do not say which Questionnaire they answer; their answers "
                "were read by linkId"
            )
        if unchecked:
            self.notes.append(
                "the responses answer "
                + ", ".join(f"'{u}'" for u in list(unchecked)[:3])
                + "; the structure's own URL is not known, so this was not checked"
            )

    # --- fields -----------------------------------------------------------------------------

    def _seen(self) -> dict[str, None]:
        seen: dict[str, None] = {}
        for response in self.responses:
            for link in response.answers:
                seen[link] = None
        return seen

    def _texts(self) -> list[str]:
        """The linkIds answered in text (valueString) that are not questions of the instrument."""
        found: dict[str, None] = {}
        for response in self.responses:
            for link, answers in response.answers.items():
                if link not in self.sources and any(a.typed for a in answers):
                    found[link] = None
        return list(found)

    def _code_field(self) -> str | None:
        seen = self._seen()
        named = self.options.code_field or self.structure.code_field
        if named:
            link = match_link(named, seen)
            if link is None:
                self.problems.append(
                    Problem(
                        file=self._files(),
                        message=f"no response answers the code item '{named}'; name the item "
                        "that holds the self-generated code with --code-field (items answered "
                        f"in text: {listing(self._texts())})",
                    )
                )
            return link or named
        candidates = [link for link in self._texts() if "code" in fold(link)]
        if len(candidates) == 1:
            return candidates[0]
        if candidates:
            message = (
                f"several items could hold the self-generated code ({listing(candidates)}); name "
                "the one with --code-field"
            )
        else:
            message = (
                "the responses hold no self-generated code (no item's linkId contains 'code'); "
                "name the item that holds it with --code-field (items answered in text: "
                f"{listing(self._texts())})"
            )
        self.problems.append(Problem(file=self._files(), message=message))
        return None

    def _field(self, given: str | None, structure: str | None, name: str) -> str | None:
        seen = self._seen()
        if given:
            link = match_link(given, seen)
            if link is None:
                self.problems.append(
                    Problem(
                        file=self._files(),
                        message=f"no response answers the {name} item '{given}'; items "
                        f"answered: {listing(list(seen))}",
                    )
                )
            return link
        if structure:
            return match_link(structure, seen) or structure
        return match_link(name, seen)

    def _context_fields(self) -> dict[str, str]:
        seen = self._seen()
        found = {}
        for name in _CONTEXT:
            for link in seen:
                if fold(re.sub(r"[_\-]+", " ", link)) in (
                    name,
                    "program" if name == "programme" else name,
                ):
                    found[name] = link
                    break
        return found

    def _identifying(self, used: set[str | None]) -> set[str]:
        """The answered items that identify people (dropped), other than the fields used."""
        identifying: set[str] = set()
        for link in self._seen():
            if link in used or link in self.sources:
                continue
            if link in self.structure.identifying or is_identifying(link):
                identifying.add(link)
                self.dropped[link] = None
        return identifying

    def _check_items(self) -> None:
        seen = self._seen()
        questions = [a for a in self.structure.answers]
        answered = [a for a in questions if a.source in seen]
        if questions and not answered:
            self.problems.append(
                Problem(
                    file=self._files(),
                    message="the responses' items do not match the Questionnaire: none of its "
                    f"questions ({listing([a.source for a in questions])}) is answered; the "
                    f"responses answer {listing(list(seen))}. Give the Questionnaire these "
                    "responses answer",
                )
            )
            return
        missing = [a.source for a in questions if a.source not in seen]
        if missing:
            self.notes.append(f"no response answers {listing(missing)}; those answers are blank")

    # --- timepoints --------------------------------------------------------------------------

    def _timepoint_of(self, response: Response, field_: str | None) -> str | None:
        fixed = self.file_timepoints.get(response.file)
        if fixed:
            return fixed
        if field_:
            value = first_text(response, field_, codes_first=True)
            if value:
                return self._mapped(value)
        for tag in nodes(response.resource.get("meta") or {}, "tag"):
            code = text(tag, "code")
            if code:
                mapped = self._mapped(code)
                if mapped:
                    return mapped
        return None

    def _mapped(self, value: str) -> str | None:
        given = lookup(self.options.events, value)
        if given is not None:
            timepoint = to_timepoint(given)
            if timepoint is None:
                message = (
                    f"the events mapping gives '{given}' for '{value}', which is not a "
                    "timepoint; use pre, post or followup"
                )
                problem = Problem(file=self._files(), message=message)
                if problem not in self.problems:
                    self.problems.append(problem)
            return timepoint
        return to_timepoint(value)

    def _why_no_timepoint(self, response: Response) -> str:
        tags = [text(t, "code") or "" for t in nodes(response.resource.get("meta") or {}, "tag")]
        seen = ", ".join(f"'{t}'" for t in tags if t)
        return "no timepoint: its timepoint item is blank or not a timepoint" + (
            f", and its tags ({seen}) map to none" if seen else ""
        )

    def _no_timepoint(self) -> str:
        return (
            "no response has a timepoint: give one per file (--timepoint FILE=pre), name the "
            "item that holds it (--timepoint-field LINKID, its answers pre, post or followup, or "
            "mapped with --events ANSWER=pre), or map the responses' meta.tag codes with "
            "--events CODE=pre"
        )

    # --- answers -----------------------------------------------------------------------------

    def _value(
        self,
        response: Response,
        answer_map: AnswerMap,
        unknown: dict[tuple[str, str], list[int]],
        several: dict[str, list[int]],
    ) -> str:
        answers = [a for a in response.answers.get(answer_map.source, []) if a.readable]
        if not answers:
            return ""
        if not answer_map.codes:
            return "; ".join(a.shown for a in answers)
        values = []
        for answer in answers:
            value = translate(answer, answer_map.codes)
            if value is None:
                value = answer.shown
                unknown.setdefault((answer_map.source, value), []).append(response.entry)
            values.append(value)
        if len(values) > 1:
            several.setdefault(answer_map.source, []).append(response.entry)
        return ";".join(values)

    def _note_unknown(
        self, unknown: dict[tuple[str, str], list[int]], several: dict[str, list[int]]
    ) -> None:
        for (link, value), entries in unknown.items():
            self.notes.append(
                f"item '{link}': the answer '{value}' ({entries_of(entries)}) is not one of its "
                "options; it is kept as given and scores as invalid"
            )
        for link, entries in several.items():
            self.notes.append(
                f"item '{link}' has several answers in {entries_of(entries)}; they are kept "
                "together and score as invalid (imheval scores one answer per question)"
            )

    def _totals(self) -> set[str]:
        """The linkIds of the items the Questionnaire calculates (stored totals)."""
        return {
            match.group(1)
            for omission in self.structure.omissions
            if omission.message.startswith(CALCULATED)
            and (match := re.fullmatch(r"item '(.+)'", omission.where))
        }

    def _note_totals(self) -> None:
        totals = self._totals()
        by_item = {q.id: q for q in self.instrument.items}
        for total in sorted(totals):
            differing: list[str] = []
            for response in self.responses:
                stored = [a.amount for a in response.answers.get(total, []) if a.amount is not None]
                if not stored:
                    continue
                scores: list[Decimal] = []
                for link in response.siblings.get(total, ()):
                    answer_map = self.sources.get(link)
                    item = by_item.get(answer_map.item) if answer_map else None
                    if answer_map is None or item is None:
                        continue
                    score = self._score(item, response, answer_map)
                    if score is None:
                        break
                    scores.append(score)
                else:
                    if scores and sum(scores) != stored[0]:
                        differing.append(
                            f"{response.where}: stored {as_plain(stored[0])}, the answers score "
                            f"{as_plain(sum(scores, Decimal(0)))}"
                        )
            if differing:
                shown = "; ".join(differing[:LISTED])
                more = f"; and {len(differing) - LISTED} more" if len(differing) > LISTED else ""
                self.notes.append(
                    f"the stored total '{total}' disagrees with its questions' scores ({shown}"
                    f"{more}); imheval scores the answers itself and does not use stored totals"
                )

    def _score(
        self, item: KeyedItem | RatingItem, response: Response, answer_map: AnswerMap
    ) -> Decimal | None:
        answers = [a for a in response.answers.get(answer_map.source, []) if a.readable]
        if len(answers) != 1:
            return None
        value = translate(answers[0], answer_map.codes)
        if value is None:
            return None
        if isinstance(item, KeyedItem):
            return Decimal(str(item.points)) if value in item.key else Decimal(0)
        scale = self.instrument.scales[item.scale]
        chosen = whole(value)
        if chosen is None:
            return None
        return Decimal(scale.min + scale.max - chosen if item.reverse else chosen)

    def _note_ignored(
        self,
        code_field: str,
        cohort_field: str | None,
        timepoint_field: str | None,
        context: dict[str, str],
        identifying: set[str],
    ) -> None:
        used = {code_field, cohort_field, timepoint_field, *context.values(), *identifying}
        used.update(self._totals())
        other = [link for link in self._seen() if link not in used and link not in self.sources]
        if other:
            self.notes.append(
                f"answers to items the instrument does not hold were not read: {listing(other)}"
            )
        for kind, count in self.ignored.items():
            self.notes.append(
                f"{count} Bundle entr{'y' if count == 1 else 'ies'} held {kind}; ignored"
            )


# --- helpers ----------------------------------------------------------------------------------


def _not_responses(kind: str) -> str:
    if kind == "Questionnaire":
        return (
            "this is a Questionnaire, not responses; give it as the structure (--structure) "
            "and the QuestionnaireResponse files (or a Bundle of them) as the sources"
        )
    return (
        f"this is {a_resource(kind)} resource, not QuestionnaireResponses; export the responses "
        "(GET [base]/QuestionnaireResponse?questionnaire=[url], a Bundle) and give that"
    )
