"""Writing a :class:`Project` as a REFI-QDA project (.qdpx) or codebook (.qdc).

What is written, and how imheval's things map onto the standard:

- Themes, sub-themes and codes become nested ``Code`` elements, ``isCodable`` as in
  :attr:`Code.codable` (imheval makes themes non-codable; sub-themes may be codable).
- Each source is ``sources/<GUID>.txt`` (UTF-8, ``\\n`` line ends), referred to as
  ``internal://<GUID>.txt``; positions are code points, the end exclusive.
- Codings sharing a selection GUID become one ``PlainTextSelection`` with several ``Coding``
  elements; each coding's coder is its ``creatingUser``; the selection's ``Description`` is
  the coding memo.
- Speakers are ``Case`` elements; each speaker turn is a ``PlainTextSelection`` with no coding,
  referred to by its case's ``SelectionRef`` (the reader turns them back into turns). Case
  attributes are ``Text`` variables.
- Exemplar quotes: REFI-QDA has no flag, so imheval writes one note, "Exemplar quotes
  (imheval)", and gives each exemplar ``Coding`` a ``NoteRef`` to it. Other tools show the
  note and its links; imheval reads the flag back.
- Notes: each a ``Note`` with its text in ``sources/<GUID>.txt``, referred to from the code,
  source, selection or coding it is about (``NoteRef``), from the project when it has no
  target, and through a ``Link`` for anything else (a case).

The output is deterministic: the same project gives the same bytes (ZIP members in a fixed
order with a fixed date, no timestamps but those in the data).
"""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from imheval._version import __version__
from imheval.errors import Problem, RefiError
from imheval.qualitative.model import Code, Coding, Note, Project, Source, stable_guid
from imheval.qualitative.refi.common import (
    CODEBOOK_NS,
    EXEMPLAR_NOTE_NAME,
    EXEMPLAR_NOTE_TEXT,
    PROJECT_MEMBER,
    PROJECT_NS,
    SOURCES_FOLDER,
    format_datetime,
    normal_colour,
)

DEFAULT_ORIGIN = f"imheval {__version__}"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SNIPPET = 60


def _clean(text: str) -> str:
    """``text`` without the control characters XML 1.0 cannot hold."""
    return _NOT_XML.sub("", text)


def _snippet(text: str) -> str:
    return _clean(" ".join(text[:_SNIPPET].split()))


@dataclass
class _Writer:
    project: Project
    ns: str
    losses: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)

    def element(self, parent: Any, local_name: str, /, **attributes: str | None) -> Any:
        tag = f"{{{self.ns}}}{local_name}"
        present = {key: _clean(value) for key, value in attributes.items() if value is not None}
        if parent is None:
            return etree.Element(tag, present, nsmap={None: self.ns})
        return etree.SubElement(parent, tag, present)

    def text_element(self, parent: Any, name: str, text: str) -> None:
        if text:
            self.element(parent, name).text = _clean(text)

    # -- codebook -----------------------------------------------------------------------------
    def codes(self, parent: Any, *, with_notes: dict[str, list[str]] | None = None) -> None:
        children: dict[str | None, list[Code]] = defaultdict(list)
        known = {code.guid for code in self.project.codes}
        for code in self.project.codes:
            parent_guid = code.parent if code.parent in known else None
            if code.parent is not None and parent_guid is None:
                self.losses.append(f"code '{code.name}' has an unknown parent; written at the top")
            children[parent_guid].append(code)
        codes_element = (
            self.element(self.element(parent, "CodeBook"), "Codes")
            if (self.ns == PROJECT_NS)
            else self.element(parent, "Codes")
        )
        written: set[str] = set()

        def write(under: Any, code: Code) -> None:
            if code.guid in written:
                return
            written.add(code.guid)
            colour = normal_colour(code.color) if code.color else None
            if code.color and colour is None:
                self.losses.append(f"colour '{code.color}' of code '{code.name}' is not written")
            node = self.element(
                under,
                "Code",
                guid=code.guid,
                name=code.name,
                isCodable="true" if code.codable else "false",
                color=colour,
            )
            self.text_element(node, "Description", code.description)
            for note in (with_notes or {}).get(code.guid, []):
                self.element(node, "NoteRef", targetGUID=note)
            for child in children.get(code.guid, []):
                write(node, child)

        for root in children[None]:
            write(codes_element, root)
        for code in self.project.codes:  # rows in a cycle of parents: written at the top
            if code.guid not in written:
                self.losses.append(f"code '{code.name}' is its own ancestor; written at the top")
                write(codes_element, code)


def _note_targets(project: Project) -> dict[str, list[str]]:
    """For each GUID a note is about, the notes about it (in project order)."""
    targets: dict[str, list[str]] = defaultdict(list)
    for note in project.notes:
        for target in note.targets:
            targets[target].append(note.guid)
    return targets


def _selections(codings: Iterable[Coding]) -> dict[str, list[Coding]]:
    """Codings grouped into selections: by selection GUID, split where the passages differ."""
    groups: dict[str, list[Coding]] = defaultdict(list)
    first_passage: dict[str, tuple[str, int, int]] = {}
    for coding in codings:
        passage = (coding.source, coding.start, coding.end)
        key = coding.selection
        first_passage.setdefault(key, passage)
        if first_passage[key] != passage:
            key = stable_guid("selection", coding.selection, *map(str, passage))
        groups[key].append(coding)
    return groups


def _write_sources(writer: _Writer, root: Any, notes_on: dict[str, list[str]]) -> None:
    project = writer.project
    speakers = {case.guid for case in project.cases}
    by_source: dict[str, dict[str, list[Coding]]] = defaultdict(dict)
    for guid, group in _selections(project.codings).items():
        by_source[group[0].source][guid] = group
    known_sources = {source.guid for source in project.sources}
    orphans = [c for c in project.codings if c.source not in known_sources]
    if orphans:
        writer.losses.append(f"{len(orphans)} coding(s) of unknown sources are not written")
    exemplar = stable_guid("exemplar quotes note")
    sources_element = writer.element(root, "Sources") if project.sources else None
    for source in project.sources:
        writer.files[f"{SOURCES_FOLDER}{source.guid}.txt"] = source.text.encode("utf-8")
        node = writer.element(
            sources_element,
            "TextSource",
            guid=source.guid,
            name=source.name,
            plainTextPath=f"internal://{source.guid}.txt",
            creatingUser=source.creating_user,
            creationDateTime=format_datetime(source.created) if source.created else None,
        )
        writer.text_element(node, "Description", source.description)
        entries: list[tuple[int, int, str, list[Coding] | str]] = []
        for guid, group in by_source.get(source.guid, {}).items():
            entries.append((group[0].start, group[0].end, guid, group))
        for turn in source.turns:
            if turn.speaker not in speakers:
                writer.losses.append(
                    f"a turn in '{source.name}' at {turn.start} is by an unknown speaker; "
                    "not written"
                )
                continue
            guid = turn_guid(source, turn.start, turn.end, turn.speaker)
            entries.append((turn.start, turn.end, guid, turn.speaker))
        for start, end, guid, what in sorted(entries, key=lambda entry: entry[:3]):
            selection = writer.element(
                node,
                "PlainTextSelection",
                guid=guid,
                name=_snippet(source.text[start:end]),
                startPosition=str(start),
                endPosition=str(end),
                **_selection_attributes(what),
            )
            if isinstance(what, list):
                _write_codings(writer, selection, what, notes_on, exemplar)
            for note in notes_on.get(guid, []):
                writer.element(selection, "NoteRef", targetGUID=note)
        for note in notes_on.get(source.guid, []):
            writer.element(node, "NoteRef", targetGUID=note)


def turn_guid(source: Source, start: int, end: int, speaker: str) -> str:
    """The stable GUID of a speaker turn's selection."""
    return stable_guid("turn", source.guid, str(start), str(end), speaker)


def _selection_attributes(what: list[Coding] | str) -> dict[str, str | None]:
    if not isinstance(what, list):
        return {}
    coders = {coding.coder for coding in what}
    created = [coding.created for coding in what if coding.created is not None]
    return {
        "creatingUser": next(iter(coders)) if len(coders) == 1 else None,
        "creationDateTime": format_datetime(min(created)) if created else None,
    }


def _write_codings(
    writer: _Writer,
    selection: Any,
    codings: list[Coding],
    notes_on: dict[str, list[str]],
    exemplar: str,
) -> None:
    memos = list(dict.fromkeys(coding.memo for coding in codings if coding.memo))
    if len(memos) > 1:
        writer.losses.append(
            f"codings sharing selection {codings[0].selection} have different memos; they are "
            "written together as the selection's description"
        )
    writer.text_element(selection, "Description", "\n\n".join(memos))
    for coding in sorted(codings, key=lambda c: c.guid):
        node = writer.element(
            selection,
            "Coding",
            guid=coding.guid,
            creatingUser=coding.coder,
            creationDateTime=format_datetime(coding.created) if coding.created else None,
        )
        writer.element(node, "CodeRef", targetGUID=coding.code)
        if coding.exemplar:
            writer.element(node, "NoteRef", targetGUID=exemplar)
        for note in notes_on.get(coding.guid, []):
            writer.element(node, "NoteRef", targetGUID=note)


def _write_cases(writer: _Writer, root: Any) -> None:
    project = writer.project
    if not project.cases:
        return
    names = sorted({name for case in project.cases for name in case.attributes})
    if names:
        variables = writer.element(root, "Variables")
        for name in names:
            writer.element(
                variables,
                "Variable",
                guid=stable_guid("variable", name),
                name=name,
                typeOfVariable="Text",
            )
    turns: dict[str, list[str]] = defaultdict(list)
    for source in project.sources:
        for turn in source.turns:
            turns[turn.speaker].append(turn_guid(source, turn.start, turn.end, turn.speaker))
    cases = writer.element(root, "Cases")
    for case in project.cases:
        node = writer.element(cases, "Case", guid=case.guid, name=case.name)
        for name in sorted(case.attributes):
            value = writer.element(node, "VariableValue")
            writer.element(value, "VariableRef", targetGUID=stable_guid("variable", name))
            writer.element(value, "TextValue").text = _clean(case.attributes[name])
        for source_guid in case.sources:
            writer.element(node, "SourceRef", targetGUID=source_guid)
        for selection in turns.get(case.guid, []):
            writer.element(node, "SelectionRef", targetGUID=selection)


def _write_notes(writer: _Writer, root: Any, linked: list[tuple[str, str]]) -> None:
    project = writer.project
    exemplar = any(coding.exemplar for coding in project.codings)
    if not project.notes and not exemplar:
        return
    notes = writer.element(root, "Notes")
    everything = list(project.notes)
    if exemplar:
        everything.append(
            Note(stable_guid("exemplar quotes note"), EXEMPLAR_NOTE_NAME, EXEMPLAR_NOTE_TEXT)
        )
    for note in everything:
        writer.files[f"{SOURCES_FOLDER}{note.guid}.txt"] = note.text.encode("utf-8")
        writer.element(
            notes,
            "Note",
            guid=note.guid,
            name=note.name,
            plainTextPath=f"internal://{note.guid}.txt",
            creatingUser=note.creating_user,
            creationDateTime=format_datetime(note.created) if note.created else None,
        )
    if linked:
        links = writer.element(root, "Links")
        for note_guid, target in linked:
            writer.element(
                links,
                "Link",
                guid=stable_guid("note link", note_guid, target),
                originGUID=note_guid,
                targetGUID=target,
                direction="OneWay",
            )


def _write_sets(writer: _Writer, root: Any, *, codebook: bool) -> None:
    if not writer.project.sets:
        return  # never an empty <Sets/>: the schema needs at least one Set
    sets = writer.element(root, "Sets")
    for code_set in writer.project.sets:
        node = writer.element(sets, "Set", guid=code_set.guid, name=code_set.name)
        for code in code_set.codes:
            if codebook:
                writer.element(node, "MemberCode", guid=code)
            else:
                writer.element(node, "MemberCode", targetGUID=code)
        if codebook and code_set.sources:
            writer.losses.append(f"sources in set '{code_set.name}' are not in a codebook")
        elif not codebook:
            for source in code_set.sources:
                writer.element(node, "MemberSource", targetGUID=source)


def _check_texts(project: Project) -> None:
    """RefiError for source texts a REFI-QDA text file cannot carry back unchanged."""
    problems = [
        Problem(
            project.name or "project",
            f"source '{source.name}' has a NUL character or starts with a byte order mark, "
            "which a REFI-QDA text file cannot carry; remove it and export again",
        )
        for source in project.sources
        if "\x00" in source.text or source.text.startswith("\ufeff")
    ]
    if problems:
        raise RefiError(problems)


def project_xml(
    project: Project, *, origin: str = DEFAULT_ORIGIN
) -> tuple[bytes, dict[str, bytes], tuple[str, ...]]:
    """The ``project.qde`` bytes, the other archive members (text files) and the losses.

    Raises :class:`RefiError` when a source's text has a NUL character or starts with a byte
    order mark (a reader could not tell it from the file's own).
    """
    _check_texts(project)
    writer = _Writer(project, PROJECT_NS)
    root = writer.element(None, "Project", name=project.name or "imheval project", origin=origin)
    if project.users:
        users = writer.element(root, "Users")
        for user in project.users:
            writer.element(users, "User", guid=user.guid, name=user.name)
    notes_on = _note_targets(project)
    if project.codes:
        writer.codes(root, with_notes=notes_on)
    _write_cases(writer, root)
    _write_sources(writer, root, notes_on)
    placed = (
        {code.guid for code in project.codes}
        | {source.guid for source in project.sources}
        | set(_selections(project.codings))
        | {coding.guid for coding in project.codings}
    )
    linked = [
        (note.guid, target)
        for note in project.notes
        for target in note.targets
        if target not in placed
    ]
    _write_notes(writer, root, linked)
    _write_sets(writer, root, codebook=False)
    writer.text_element(root, "Description", project.description)
    for note in project.notes:
        if not note.targets:
            writer.element(root, "NoteRef", targetGUID=note.guid)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return data, writer.files, tuple(writer.losses)


def codebook_xml(project: Project) -> tuple[bytes, tuple[str, ...]]:
    """The ``.qdc`` bytes and the losses; RefiError when the project has no codes."""
    if not project.codes:
        raise RefiError(
            [
                Problem(
                    project.name or "codebook",
                    "has no codes; a REFI-QDA codebook needs at least one",
                )
            ]
        )
    writer = _Writer(project, CODEBOOK_NS)
    root = writer.element(None, "CodeBook", origin=DEFAULT_ORIGIN)
    writer.codes(root)
    _write_sets(writer, root, codebook=True)
    notes = {
        note.guid
        for note in project.notes
        for target in note.targets
        if target in {c.guid for c in project.codes}
    }
    if notes:
        writer.losses.append(
            f"{len(notes)} note(s) on codes are not in a codebook (.qdc); a project (.qdpx) "
            "keeps them"
        )
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return data, tuple(writer.losses)


def _zip_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def write_qdpx(
    project: Project, target: str | Path | IO[bytes], *, origin: str = DEFAULT_ORIGIN
) -> tuple[str, ...]:
    """Write ``project`` as a REFI-QDA project archive to a path or binary file object.

    Returns what REFI-QDA could not carry (usually nothing), in plain English. Raises
    :class:`RefiError` as :func:`project_xml` does, before anything is written.
    """
    data, files, losses = project_xml(project, origin=origin)
    with zipfile.ZipFile(target, "w") as archive:
        _zip_member(archive, PROJECT_MEMBER, data)
        for name in sorted(files):
            _zip_member(archive, name, files[name])
    return losses


def write_qdc(project: Project, target: str | Path | IO[bytes]) -> tuple[str, ...]:
    """Write ``project``'s codebook (codes and sets) as a REFI-QDA ``.qdc``; returns the losses.

    Raises :class:`RefiError` when the project has no codes (a codebook needs one).
    """
    data, losses = codebook_xml(project)
    if isinstance(target, (str, Path)):
        Path(target).write_bytes(data)
    else:
        target.write(data)
    return losses
