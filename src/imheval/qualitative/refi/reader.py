"""Reading REFI-QDA projects (.qdpx) and codebooks (.qdc) into a :class:`Project`.

The reader is all or nothing: it gathers every problem it finds (bad positions, references to
unknown GUIDs, duplicate GUIDs, unreadable sources) and raises one :class:`RefiError` listing
them all by element, or returns the whole project with ``losses``: plain-English sentences
saying what is not kept or was changed on the way in (REFI-QDA 1.5 section 7 asks for this
warning before an import commits).

Quirks of real exports it handles:

- Windows line endings. Text is normalised to ``\\n``. ATLAS.ti counts ``\\r\\n`` as one code
  point; NVivo, MAXQDA and the others count two, so their positions are moved back by one for
  every ``\\r\\n`` before them.
- Colours not in ``#RRGGBB`` form (``#RGB``, ``rgb(1,2,3)``, with alpha): read and normalised.
- An empty ``<Sets/>`` (Taguette): ignored. Non-codable codes: kept, with ``codable`` false.
- Source names that are GUIDs (NVivo): the source is named "Source 1", "Source 2" ... instead.
- Lower-case or braced GUIDs: upper-cased. ``User@id``: ignored. ``<GUID>.docx`` beside
  ``<GUID>.txt``: the text is read. A stray ``sources/.root`` (NVivo): ignored.
- Codes nested deeper than theme > sub-theme > code: kept as codes under their sub-theme,
  named by their path below it ("digital_citizenship > citizenship").
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from imheval.errors import Problem, RefiError
from imheval.qualitative.model import (
    Case,
    Code,
    CodeSet,
    Coding,
    Note,
    Project,
    Source,
    Turn,
    User,
    stable_guid,
)
from imheval.qualitative.refi.archive import (
    MAX_TOTAL_BYTES,
    SafeArchive,
    child,
    children,
    local_name,
    parse_xml,
    strip_namespaces,
    text_of,
)
from imheval.qualitative.refi.common import (
    EXEMPLAR_NOTE_NAME,
    PROJECT_MEMBER,
    SOURCES_FOLDER,
    looks_like_guid,
    normal_colour,
    normal_guid,
    parse_datetime,
)
from imheval.qualitative.refi.text import PlainText, decode_text

#: The deepest codebook level imheval keeps (0 theme, 1 sub-theme, 2 code).
_CODE_DEPTH = 2
_OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
_VALUE_ELEMENTS = (
    "TextValue",
    "BooleanValue",
    "IntegerValue",
    "FloatValue",
    "DateValue",
    "DateTimeValue",
)


@dataclass(frozen=True)
class RefiRead:
    """What a REFI-QDA file held: the project, and what was lost or changed in reading it."""

    project: Project
    losses: tuple[str, ...] = ()


def _display_name(source: str | IO[bytes] | Path, name: str | None) -> str:
    if name is not None:
        return name
    if isinstance(source, (str, Path)):
        return Path(source).name
    return str(getattr(source, "name", "the uploaded file"))


@dataclass
class _Selection:
    guid: str
    source: str
    start: int
    end: int
    user: str | None
    memo: str
    created: Any
    has_codings: bool


@dataclass
class _Reader:
    """One read: the problems and losses gathered on the way, and what is known so far."""

    file: str
    origin: str = ""
    archive: SafeArchive | None = None
    problems: list[Problem] = field(default_factory=list)
    losses: list[str] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    unknown_users: dict[str, User] = field(default_factory=dict)
    codes: list[Code] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    selections: dict[str, _Selection] = field(default_factory=dict)
    note_targets: dict[str, list[str]] = field(default_factory=dict)
    used_members: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    pending_codings: list[tuple[Coding, str]] = field(default_factory=list)
    coding_notes: dict[str, list[str]] = field(default_factory=dict)
    turn_selections: set[str] = field(default_factory=set)
    #: Sources already reported (unreadable) or said to be dropped (PDF, audio ...): a case or
    #: set referring to one adds no second problem.
    skipped_sources: set[str] = field(default_factory=set)

    # -- reporting --------------------------------------------------------------------------
    def problem(self, message: str, attribute: str | None = None) -> None:
        self.problems.append(Problem(self.file, message, field=attribute))

    def guid(self, element: Any, attribute: str = "guid") -> str:
        """The element's GUID attribute, normalised; a problem (and a placeholder) if bad."""
        raw: str | None = element.get(attribute)
        if raw is None:
            self.problem(f"{local_name(element)} has no {attribute}", attribute)
            return ""
        guid = normal_guid(raw)
        if guid is None:
            self.problem(f"{local_name(element)} {attribute} '{raw}' is not a GUID", attribute)
            return raw
        return guid

    def optional_guid(self, element: Any, attribute: str) -> str | None:
        return self.guid(element, attribute) if element.get(attribute) is not None else None

    def user(self, guid: str | None) -> str | None:
        """A coder's GUID; an unlisted one is added as "User 1A2B3C4D" (and said)."""
        if guid is None or guid in self.users:
            return guid
        if guid not in self.unknown_users:
            self.unknown_users[guid] = User(guid, f"User {guid[:8]}")
        return guid

    # -- the whole file -----------------------------------------------------------------------
    def check_duplicate_guids(self, root: Any) -> None:
        seen: dict[str, str] = {}
        for element in root.iter():
            # A codebook's MemberCode@guid refers to a code; every other guid names its element.
            if not isinstance(element.tag, str) or element.get("guid") is None:
                continue
            if element.tag == "MemberCode":
                continue
            guid = normal_guid(element.get("guid")) or element.get("guid")
            what = f"{element.tag} '{element.get('name', '')}'".replace(" ''", "")
            if guid in seen:
                self.problem(f"GUID {guid} is used twice: by {seen[guid]} and by {what}", "guid")
            else:
                seen[guid] = what

    def read_users(self, root: Any) -> None:
        users = child(root, "Users")
        for number, element in enumerate(children(users, "User") if users is not None else (), 1):
            guid = self.guid(element)
            name = element.get("name") or element.get("id") or f"User {number}"
            self.users[guid] = User(guid, name)

    def read_codes(self, codes_parent: Any | None) -> None:
        if codes_parent is None:
            return
        codes = child(codes_parent, "Codes")
        if codes is None:
            return
        for element in children(codes, "Code"):
            self._read_code(element, parent=None, depth=0, path=())

    def _read_code(
        self, element: Any, parent: str | None, depth: int, path: tuple[str, ...]
    ) -> None:
        guid = self.guid(element)
        name = element.get("name")
        if not name:
            self.problem(f"Code {guid} has no name", "name")
            name = guid
        codable = element.get("isCodable", "true").strip().lower() in ("true", "1")
        colour = None
        if (raw := element.get("color")) is not None:
            colour = normal_colour(raw)
            if colour is None:
                self.losses.append(f"colour '{raw}' of code '{name}' cannot be read; dropped")
            elif colour.lower() != raw.strip().lower():
                self.losses.append(f"colour '{raw}' of code '{name}' read as {colour}")
        shown = " > ".join((*path, name)) if depth > _CODE_DEPTH else name
        if depth > _CODE_DEPTH:
            self.counts["deep"] += 1
        if not codable and depth >= _CODE_DEPTH:
            self.losses.append(f"non-codable code '{shown}' kept as a code that cannot be applied")
        self.codes.append(
            Code(
                guid=guid,
                name=shown,
                parent=parent,
                description=text_of(element, "Description"),
                codable=codable,
                color=colour,
            )
        )
        for note in children(element, "NoteRef"):
            self.note_targets.setdefault(self.guid(note, "targetGUID"), []).append(guid)
        # Rows below a code hang from the sub-theme above it, named by their path below it.
        below_parent = guid if depth < _CODE_DEPTH else parent
        below_path = (*path, name) if depth >= _CODE_DEPTH else ()
        for below in children(element, "Code"):
            self._read_code(below, below_parent, depth + 1, below_path)

    def read_variables(self, root: Any) -> None:
        variables = child(root, "Variables")
        for element in children(variables, "Variable") if variables is not None else ():
            self.variables[self.guid(element)] = element.get("name") or "Variable"

    def variable_values(self, element: Any, owner: str) -> dict[str, str]:
        values: dict[str, str] = {}
        for value in children(element, "VariableValue"):
            ref = child(value, "VariableRef")
            if ref is None:
                self.problem(f"a VariableValue of {owner} has no VariableRef", "VariableRef")
                continue
            target = self.guid(ref, "targetGUID")
            if target not in self.variables:
                self.problem(
                    f"a VariableValue of {owner} refers to variable {target}, which is not in "
                    "Variables",
                    "VariableRef",
                )
                continue
            text = next(((part.text or "") for part in value if part.tag in _VALUE_ELEMENTS), "")
            values[self.variables[target]] = text.strip()
        return values

    # -- text -------------------------------------------------------------------------------
    def member_text(self, path: str | None, what: str) -> str | None:
        """The text of an ``internal://`` file, or None (a problem) when it cannot be read."""
        if path is None:
            return None
        scheme, _, rest = path.partition("://")
        if scheme != "internal":
            self.problem(
                f"{what} is read from '{path}', outside the archive; imheval reads only sources "
                "inside the .qdpx (internal://); export the project with its sources embedded",
                "plainTextPath",
            )
            return None
        if self.archive is None:
            self.problem(f"{what} is in '{path}', but a .qde alone has no sources folder")
            return None
        member = self._member(self.archive, SOURCES_FOLDER + rest)
        if member is None or "/" in rest or "\\" in rest:
            self.problem(
                f"{what}: '{path}' is not in the archive's sources folder", "plainTextPath"
            )
            return None
        self.used_members.add(member)
        return self.decode(self.archive.read(member), f"{what} ({member})")

    @staticmethod
    def _member(archive: SafeArchive, wanted: str) -> str | None:
        names = archive.names()
        if wanted in names:
            return wanted
        folded = {name.casefold(): name for name in names}
        return folded.get(wanted.casefold())

    def decode(self, data: bytes, what: str) -> str | None:
        text, why = decode_text(data)
        if text is None:
            self.problem(f"{what} {why}")
        return text

    # -- sources ------------------------------------------------------------------------------
    def read_sources(self, root: Any) -> list[Source]:
        sources_element = child(root, "Sources")
        if sources_element is None:
            return []
        sources: list[Source] = []
        others: list[str] = []
        for element in sources_element:
            if not isinstance(element.tag, str):
                continue
            if element.tag in _OTHER_SOURCES:
                others.append(element.get("name") or element.get("guid") or element.tag)
                if element.get("guid") is not None:
                    self.skipped_sources.add(normal_guid(element.get("guid")) or "")
            elif element.tag == "TextSource":
                source = self._read_source(element, len(sources) + 1)
                if source is not None:
                    sources.append(source)
                elif element.get("guid") is not None:
                    self.skipped_sources.add(normal_guid(element.get("guid")) or "")
        if others:
            self.losses.append(
                f"PDF, picture, audio and video sources are not kept: {', '.join(others)}"
            )
        return sources

    def _read_source(self, element: Any, number: int) -> Source | None:
        guid = self.guid(element)
        name = element.get("name") or ""
        if not name or looks_like_guid(name):
            readable = f"Source {number}"
            self.losses.append(
                f"source '{name or guid}' has no readable name; it is called '{readable}'"
            )
            name = readable
        what = f"source '{name}'"
        if element.get("richTextPath"):
            self.counts["rich"] += 1
        content = child(element, "PlainTextContent")
        if content is not None:
            raw: str | None = content.text or ""
        elif element.get("plainTextPath"):
            raw = self.member_text(element.get("plainTextPath"), what)
        else:
            self.problem(f"{what} has no plain text (no PlainTextContent or plainTextPath)")
            raw = None
        if raw is None:
            return None
        plain = PlainText.read(raw, self.origin)
        text = plain.text
        if plain.had_crlf:
            how = (
                f"as {self.origin} counts them"
                if not plain.crlf
                else "and positions are moved back by one for each line break before them"
            )
            self.losses.append(
                f"{what} has Windows line endings; each is read as one line break, {how}"
            )
        self._read_selections(element, guid, what, plain)
        for direct in children(element, "Coding"):
            self.counts["whole"] += 1
            self._coding(direct, guid, "", 0, len(text), None, "", None, what)
        for note in children(element, "NoteRef"):
            self.note_targets.setdefault(self.guid(note, "targetGUID"), []).append(guid)
        if child(element, "VariableValue") is not None:
            self.counts["source_variables"] += 1
        creating = self.optional_guid(element, "creatingUser")
        return Source(
            guid=guid,
            name=name,
            text=text,
            description=text_of(element, "Description"),
            creating_user=creating if creating in self.users else None,
            created=parse_datetime(element.get("creationDateTime")),
        )

    def _read_selections(self, element: Any, source: str, what: str, plain: PlainText) -> None:
        limit = plain.limit
        for selection in children(element, "PlainTextSelection"):
            guid = self.guid(selection)
            try:
                start = int(selection.get("startPosition", ""))
                end = int(selection.get("endPosition", ""))
            except ValueError:
                self.problem(
                    f"PlainTextSelection {guid} in {what} has a start or end position that is "
                    "not a whole number",
                    "startPosition",
                )
                continue
            if not 0 <= start <= end <= limit:
                self.problem(
                    f"PlainTextSelection {guid} in {what}: positions {start} to {end} are "
                    f"outside the text (0 to {limit})",
                    "endPosition" if end > limit else "startPosition",
                )
                continue
            user = self.optional_guid(selection, "creatingUser")
            memo = text_of(selection, "Description")
            created = parse_datetime(selection.get("creationDateTime"))
            text_start, text_end = plain.position(start), plain.position(end)
            codings = list(children(selection, "Coding"))
            self.selections[guid] = _Selection(
                guid, source, text_start, text_end, user, memo, created, bool(codings)
            )
            for note in children(selection, "NoteRef"):
                self.note_targets.setdefault(self.guid(note, "targetGUID"), []).append(guid)
            for coding in codings:
                self._coding(coding, source, guid, text_start, text_end, user, memo, created, what)

    def _coding(
        self,
        element: Any,
        source: str,
        selection: str,
        start: int,
        end: int,
        selection_user: str | None,
        memo: str,
        selection_created: Any,
        what: str,
    ) -> None:
        guid = self.guid(element)
        ref = child(element, "CodeRef")
        if ref is None:
            self.problem(f"Coding {guid} in {what} has no CodeRef", "CodeRef")
            return
        code = self.guid(ref, "targetGUID")
        user = self.optional_guid(element, "creatingUser") or selection_user
        self.pending_codings.append(
            (
                Coding(
                    guid=guid,
                    selection=selection or stable_guid("whole source", source),
                    source=source,
                    start=start,
                    end=end,
                    code=code,
                    coder=self.user(user),
                    memo=memo,
                    created=parse_datetime(element.get("creationDateTime")) or selection_created,
                ),
                what,
            )
        )
        for note in children(element, "NoteRef"):
            self.coding_notes.setdefault(self.guid(note, "targetGUID"), []).append(guid)

    # -- cases, notes, sets ----------------------------------------------------------------
    def read_cases(
        self, root: Any, source_guids: set[str]
    ) -> tuple[list[Case], dict[str, list[Turn]]]:
        cases: list[Case] = []
        turns: dict[str, list[Turn]] = {}
        cases_element = child(root, "Cases")
        for number, element in enumerate(
            children(cases_element, "Case") if cases_element is not None else (), 1
        ):
            guid = self.guid(element)
            name = element.get("name") or f"Case {number}"
            attributes = self.variable_values(element, f"case '{name}'")
            sources: list[str] = []
            for ref in children(element, "SourceRef"):
                target = self.guid(ref, "targetGUID")
                if target in self.skipped_sources:
                    continue
                if target not in source_guids:
                    self.problem(
                        f"case '{name}' refers to source {target}, which is not a text source",
                        "SourceRef",
                    )
                elif target not in sources:
                    sources.append(target)
            for ref in children(element, "SelectionRef"):
                target = self.guid(ref, "targetGUID")
                selection = self.selections.get(target)
                if selection is None:
                    self.problem(
                        f"case '{name}' refers to selection {target}, which is not in any text "
                        "source",
                        "SelectionRef",
                    )
                    continue
                if selection.source not in sources:
                    sources.append(selection.source)
                if not selection.has_codings:
                    self.turn_selections.add(target)
                    turns.setdefault(selection.source, []).append(
                        Turn(selection.start, selection.end, guid)
                    )
            if child(element, "CodeRef") is not None:
                self.counts["case_codes"] += 1
            cases.append(Case(guid, name, attributes, tuple(sources)))
        return cases, turns

    def read_notes(self, root: Any) -> tuple[list[Note], str | None]:
        notes_element = child(root, "Notes")
        notes: list[Note] = []
        exemplar_note: str | None = None
        for element in children(notes_element, "Note") if notes_element is not None else ():
            guid = self.guid(element)
            name = element.get("name") or "Note"
            if name == EXEMPLAR_NOTE_NAME:
                # imheval's marker for exemplar codings, not a memo (its text says so).
                exemplar_note = guid
                self.member_text(element.get("plainTextPath"), f"note '{name}'")
                continue
            content = child(element, "PlainTextContent")
            if content is not None:
                text: str | None = content.text or ""
            elif element.get("plainTextPath"):
                text = self.member_text(element.get("plainTextPath"), f"note '{name}'")
            else:
                text = text_of(element, "Description")
            if child(element, "PlainTextSelection") is not None:
                self.counts["note_selections"] += 1
            creating = self.optional_guid(element, "creatingUser")
            notes.append(
                Note(
                    guid=guid,
                    name=name,
                    text=(text or "").replace("\r\n", "\n"),
                    creating_user=creating if creating in self.users else None,
                    created=parse_datetime(element.get("creationDateTime")),
                )
            )
        return notes, exemplar_note

    def read_links(self, root: Any, note_guids: set[str]) -> None:
        links = child(root, "Links")
        for element in children(links, "Link") if links is not None else ():
            origin = self.optional_guid(element, "originGUID")
            target = self.optional_guid(element, "targetGUID")
            if origin in note_guids and target is not None:
                self.note_targets.setdefault(origin, []).append(target)
            elif target in note_guids and origin is not None:
                self.note_targets.setdefault(target, []).append(origin)
            else:
                self.counts["links"] += 1

    def read_sets(self, root: Any, code_guids: set[str], source_guids: set[str]) -> list[CodeSet]:
        sets_element = child(root, "Sets")
        if sets_element is None:
            return []
        found = list(children(sets_element, "Set"))
        if not found:
            self.losses.append("an empty Sets element is ignored")
        sets: list[CodeSet] = []
        for element in found:
            guid = self.guid(element)
            name = element.get("name") or "Set"
            codes: list[str] = []
            for member in children(element, "MemberCode"):
                attribute = "targetGUID" if member.get("targetGUID") is not None else "guid"
                target = self.guid(member, attribute)
                if target not in code_guids:
                    self.problem(
                        f"set '{name}' has member code {target}, which is not in the codebook",
                        "MemberCode",
                    )
                codes.append(target)
            members_sources = [
                self.guid(m, "targetGUID") for m in children(element, "MemberSource")
            ]
            members_sources = [t for t in members_sources if t not in self.skipped_sources]
            for target in members_sources:
                if target not in source_guids:
                    self.problem(
                        f"set '{name}' has member source {target}, which is not a text source",
                        "MemberSource",
                    )
            if child(element, "MemberNote") is not None:
                self.counts["set_notes"] += 1
            sets.append(CodeSet(guid, name, tuple(codes), tuple(members_sources)))
        return sets


def _say_counts(reader: _Reader) -> None:
    """Turn the reader's tallies into loss sentences."""
    counts = reader.counts
    messages = {
        "deep": "{n} code(s) nested deeper than theme > sub-theme > code are kept as codes "
        "under their sub-theme, named by their path below it",
        "rich": "rich-text copies (.docx) of {n} source(s) are not kept; their plain text is",
        "whole": "{n} coding(s) of a whole source are kept as codings of all its text",
        "source_variables": "variable values of {n} source(s) are not kept (only cases' are)",
        "case_codes": "codes linked directly to {n} case(s) are not kept",
        "note_selections": "codings inside {n} note(s) are not kept",
        "links": "{n} link(s) between items other than notes are not kept",
        "set_notes": "notes in {n} set(s) are not kept as set members",
        "no_coder": "{n} coding(s) have no coder (no creatingUser); they are kept without one",
        "uncoded": "{n} selection(s) with no code and no speaker are not kept",
    }
    for key, message in messages.items():
        if counts[key]:
            reader.losses.append(message.format(n=counts[key]))


def _finish(reader: _Reader, root: Any, name: str, sources: list[Source]) -> Project:
    code_guids = {code.guid for code in reader.codes}
    source_guids = {source.guid for source in sources}
    cases, turns = reader.read_cases(root, source_guids)
    notes, exemplar_note = reader.read_notes(root)
    note_guids = {note.guid for note in notes}
    reader.read_links(root, note_guids)
    sets = reader.read_sets(root, code_guids, source_guids)
    codable = {code.guid: code.codable for code in reader.codes}
    codes_by_guid = {code.guid: code for code in reader.codes}
    exemplars = set(reader.coding_notes.pop(exemplar_note, [])) if exemplar_note else set()
    codings: list[Coding] = []
    on_uncodable: Counter[str] = Counter()
    for coding, what in reader.pending_codings:
        if coding.code not in codable:
            reader.problem(
                f"Coding {coding.guid} in {what} refers to code {coding.code}, which is not in "
                "the codebook",
                "CodeRef",
            )
            continue
        if not codable[coding.code]:
            on_uncodable[codes_by_guid[coding.code].name] += 1
        if coding.coder is None:
            reader.counts["no_coder"] += 1
        if coding.guid in exemplars:
            coding = dataclasses.replace(coding, exemplar=True)
        codings.append(coding)
    for code_name, count in on_uncodable.items():
        reader.losses.append(f"{count} coding(s) of non-codable code '{code_name}' are kept")
    reader.counts["uncoded"] = sum(
        1
        for selection in reader.selections.values()
        if not selection.has_codings and selection.guid not in reader.turn_selections
    )
    # Notes: on codes, sources, selections and codings (their GUIDs); unreferenced ones are the
    # project's. A NoteRef to an unknown note is a problem.
    known_targets = (
        code_guids
        | source_guids
        | set(reader.selections)
        | {coding.guid for coding in codings}
        | {case.guid for case in cases}
    )
    for note_guid, coding_guids in reader.coding_notes.items():
        reader.note_targets.setdefault(note_guid, []).extend(coding_guids)
    for note_guid in reader.note_targets:
        if note_guid not in note_guids and note_guid != exemplar_note:
            reader.problem(
                f"a NoteRef refers to note {note_guid}, which is not in Notes", "NoteRef"
            )
    project_notes = {reader.guid(ref, "targetGUID") for ref in children(root, "NoteRef")}

    def targets_of(note: Note) -> tuple[str, ...]:
        if note.guid in project_notes:
            return ()
        found = reader.note_targets.get(note.guid, [])
        return tuple(dict.fromkeys(target for target in found if target in known_targets))

    notes = [dataclasses.replace(note, targets=targets_of(note)) for note in notes]
    graphs = child(root, "Graphs")
    if graph_count := len(list(children(graphs, "Graph"))) if graphs is not None else 0:
        reader.losses.append(f"{graph_count} graph(s) are not kept")
    if reader.unknown_users:
        reader.losses.append(
            f"{len(reader.unknown_users)} coder(s) are not listed in Users; they are named "
            + ", ".join(f"'{user.name}'" for user in reader.unknown_users.values())
        )
    _say_counts(reader)
    sources = [
        dataclasses.replace(
            source,
            turns=tuple(sorted(turns.get(source.guid, []), key=lambda t: (t.start, t.end))),
        )
        for source in sources
    ]
    return Project(
        name=name,
        users=tuple(reader.users.values()) + tuple(reader.unknown_users.values()),
        codes=tuple(reader.codes),
        sources=tuple(sources),
        codings=tuple(codings),
        cases=tuple(cases),
        notes=tuple(notes),
        sets=tuple(sets),
        description=text_of(root, "Description"),
        origin=reader.origin,
    )


def _read_project_root(reader: _Reader, root: Any) -> Project:
    strip_namespaces(root)
    if root.tag != "Project":
        raise RefiError([Problem(reader.file, f"the root element is {root.tag}, not Project")])
    reader.origin = root.get("origin") or ""
    reader.check_duplicate_guids(root)
    reader.read_users(root)
    reader.read_codes(child(root, "CodeBook"))
    reader.read_variables(root)
    sources = reader.read_sources(root)
    project = _finish(reader, root, root.get("name") or "Imported project", sources)
    if reader.problems:
        raise RefiError(reader.problems)
    return project


def _check_exists(source: str | Path | IO[bytes], file: str) -> None:
    """RefiError when ``source`` is a path to nothing, or to a folder (said plainly, not as an
    operating-system error number)."""
    if not isinstance(source, (str, Path)):
        return
    path = Path(source)
    if path.is_dir():
        raise RefiError([Problem(file, f"is a folder, not a REFI-QDA file ({path})")])
    if not path.exists():
        raise RefiError([Problem(file, f"does not exist (looked for {path})")])


def read_qdpx(source: str | Path | IO[bytes], *, name: str | None = None) -> RefiRead:
    """Read a REFI-QDA project archive (``.qdpx``): a path or a binary file object.

    Returns the whole :class:`Project` and the losses (what is not kept or was changed).
    Raises :class:`RefiError` listing every problem by element (a path to nothing, unsafe
    archive, bad XML,
    positions outside a source's text, references to unknown GUIDs, duplicate GUIDs, sources
    that are not UTF-8 text or lie outside the archive); then nothing is returned.
    ``name`` is how messages name the file (an upload's original name).
    """
    file = _display_name(source, name)
    _check_exists(source, file)
    archive = SafeArchive.open(str(source) if isinstance(source, Path) else source, file)
    try:
        names = archive.names()
        member = PROJECT_MEMBER if PROJECT_MEMBER in names else None
        if member is None:
            candidates = [n for n in names if n.lower().endswith(".qde") and "/" not in n]
            if len(candidates) != 1:
                raise RefiError([Problem(file, "has no project.qde at the top of the archive")])
            member = candidates[0]
        reader = _Reader(file=f"{file} ({member})", archive=archive)
        root = parse_xml(archive.read(member), reader.file)
        project = _read_project_root(reader, root)
        unused = sorted(
            set(names) - reader.used_members - {member} - {n for n in names if n.endswith("/")}
        )
        docx = [n for n in unused if n.lower().endswith(".docx")]
        marker = [n for n in unused if n.rsplit("/", 1)[-1] == ".root"]
        others = [n for n in unused if n not in docx and n not in marker]
        for stray in marker:
            reader.losses.append(f"'{stray}' (a marker file some tools write) is ignored")
        if others:
            reader.losses.append(
                f"archive files not referred to by the project are ignored: {', '.join(others)}"
            )
        return RefiRead(project, tuple(reader.losses))
    finally:
        archive.close()


def read_qdpx_bytes(data: bytes, name: str = "the uploaded file") -> RefiRead:
    """:func:`read_qdpx` for an archive held in memory (a web upload)."""
    return read_qdpx(io.BytesIO(data), name=name)


def read_qdc(source: str | Path | IO[bytes], *, name: str | None = None) -> RefiRead:
    """Read a REFI-QDA codebook (``.qdc``): codes (themes, sub-themes, codes) and sets.

    The project has no sources, codings or users. Raises :class:`RefiError` as
    :func:`read_qdpx` does.
    """
    file = _display_name(source, name)
    _check_exists(source, file)
    if isinstance(source, (str, Path)):
        with Path(source).open("rb") as opened:
            data = opened.read(MAX_TOTAL_BYTES + 1)
    else:
        data = source.read(MAX_TOTAL_BYTES + 1)
    if len(data) > MAX_TOTAL_BYTES:
        raise RefiError([Problem(file, f"is larger than {MAX_TOTAL_BYTES:,} bytes; refused")])
    reader = _Reader(file=file)
    root = parse_xml(data, file)
    strip_namespaces(root)
    if root.tag != "CodeBook":
        raise RefiError([Problem(file, f"the root element is {root.tag}, not CodeBook")])
    reader.origin = root.get("origin") or ""
    reader.check_duplicate_guids(root)
    reader.read_codes(root)
    sets = reader.read_sets(root, {code.guid for code in reader.codes}, set())
    _say_counts(reader)
    if reader.problems:
        raise RefiError(reader.problems)
    project = Project(
        name=Path(file).stem or "Codebook",
        codes=tuple(reader.codes),
        sets=tuple(sets),
        origin=reader.origin,
    )
    return RefiRead(project, tuple(reader.losses))
