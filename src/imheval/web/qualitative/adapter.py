"""The one crossing between a study's database rows and the core's :class:`Project`.

:func:`project_for` reads a study into the core's plain types, for REFI-QDA export, agreement
and the outputs, so each of those has exactly one implementation (in ``imheval.qualitative``).
:func:`import_project` writes a core project into a study, all or nothing; :func:`plan_import`
says beforehand what an import would add, change or drop, and what stops it.

How rows map (docs/qualitative.md, "REFI-QDA"):

- sources with their speaker turns; speakers are cases, with their attributes;
- the codebook: themes, sub-themes and codes are nested codes (the level is the depth);
- coders are REFI-QDA users, known by name only (an imported coder is a ``Coder`` with no
  account), matched on import by GUID only; codings keep their selection, memo and exemplar
  mark;
- sets are :class:`~imheval.web.qualitative.models.CodeSet` rows (codes and sources);
- memos are notes on their code or source; the reflexivity statement and each phase log
  entry are notes on the project, named so an import puts them back where they were.

GUIDs are kept both ways, so a project exported and imported again has the same identities;
a new row whose GUID the study already holds gets a fresh one (and the plan says so).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from imheval.errors import Problem, ProblemsError
from imheval.qualitative import model as core
from imheval.qualitative.model import LEVEL_BY_DEPTH, new_guid, stable_guid
from imheval.qualitative.transcripts import doubtful_labels
from imheval.web.qualitative.models import (
    Code,
    CodeChange,
    Coder,
    CodeSet,
    Coding,
    Memo,
    Phase,
    PhaseEntry,
    Source,
    Speaker,
    Study,
    Turn,
)
from imheval.web.qualitative.study_access import EVERY_CODER, is_blind, seen_codings

#: The name of the note that carries a study's reflexivity statement.
REFLEXIVITY_NOTE = "Reflexivity statement"
#: Phase log notes are named "Phase 3 (2026-11-05): Searching for themes".
PHASE_NOTE = re.compile(r"^Phase ([1-6]) \((\d{4}-\d{2}-\d{2})\)")
#: The coder given to an imported coding that names nobody.
UNKNOWN_CODER = "Unknown coder"
COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


class ImportConflictError(ProblemsError, ValueError):
    """Raised when a project cannot go into a study: names or GUIDs it already holds, or rows
    that point at nothing. Nothing is imported."""


# ---------------------------------------------------------------------------- rows -> project


def _phase_note_name(entry: PhaseEntry) -> str:
    label = Phase(entry.phase).label.split(". ", 1)[-1]
    return f"Phase {entry.phase} ({entry.date.isoformat()}): {label}"


def project_for(study: Study, viewer: Any = EVERY_CODER) -> core.Project:
    """The whole study as a core :class:`~imheval.qualitative.model.Project` (a few queries,
    whatever its size), with the codings ``viewer`` may see: while coding is blind only their
    own, and only their own coder (:func:`~imheval.web.qualitative.study_access.seen_codings`).
    Every page and download pass the signed-in user; :data:`EVERY_CODER` reads them all."""
    shown = seen_codings(study, viewer)
    coders = list(Coder.objects.filter(study=study))
    if viewer is not EVERY_CODER and is_blind(study):
        coders = [c for c in coders if c.user_id == getattr(viewer, "pk", None)]  # type: ignore[attr-defined]
    coder_guid_by_user = {c.user_id: c.guid for c in coders if c.user_id is not None}  # type: ignore[attr-defined]
    codes = list(Code.objects.filter(study=study).select_related("parent"))
    used_codes = set(shown.values_list("code_id", flat=True).distinct())
    core_codes = tuple(
        core.Code(
            guid=code.guid,
            name=code.name,
            parent=code.parent.guid if code.parent is not None else None,
            description=code.definition,
            codable=code.level != "theme" or code.pk in used_codes,
            color=code.colour or None,
        )
        for code in _tree_order(codes)
    )
    speakers = {s.pk: s for s in Speaker.objects.filter(study=study)}
    sources = list(Source.objects.filter(study=study))
    turns_by_source: dict[int, list[core.Turn]] = defaultdict(list)
    sources_by_speaker: dict[int, list[str]] = defaultdict(list)
    source_guid = {s.pk: s.guid for s in sources}
    for turn in Turn.objects.filter(source__study=study).order_by("source", "start", "pk"):
        speaker = speakers[turn.speaker_id]  # type: ignore[attr-defined]
        turns_by_source[turn.source_id].append(  # type: ignore[attr-defined]
            core.Turn(start=turn.start, end=turn.end, speaker=speaker.guid)
        )
        guid = source_guid[turn.source_id]  # type: ignore[attr-defined]
        if guid not in sources_by_speaker[speaker.pk]:
            sources_by_speaker[speaker.pk].append(guid)
    core_sources = tuple(
        core.Source(
            guid=source.guid,
            name=source.name,
            text=source.text,
            turns=tuple(turns_by_source[source.pk]),
            description=source.get_kind_display(),  # type: ignore[attr-defined]
            created=source.created_at,
        )
        for source in sources
    )
    codings = tuple(
        core.Coding(
            guid=coding.guid,
            selection=coding.selection_guid,
            source=coding.source.guid,
            start=coding.start,
            end=coding.end,
            code=coding.code.guid,
            coder=coding.coder.guid,
            memo=coding.memo,
            exemplar=coding.exemplar,
            created=coding.created_at,
        )
        for coding in shown.select_related("source", "code", "coder")
    )
    cases = tuple(
        core.Case(
            guid=speaker.guid,
            name=speaker.label,
            attributes={str(k): str(v) for k, v in (speaker.attributes or {}).items()},
            sources=tuple(sources_by_speaker[speaker.pk]),
        )
        for speaker in speakers.values()
    )
    return core.Project(
        name=study.name,
        users=tuple(core.User(guid=c.guid, name=c.name) for c in coders),
        codes=core_codes,
        sources=core_sources,
        codings=codings,
        cases=cases,
        notes=_notes(study, coder_guid_by_user),
        sets=_sets(study),
        description=study.get_approach_display(),  # type: ignore[attr-defined]
        origin="imheval",
    )


def _sets(study: Study) -> tuple[core.CodeSet, ...]:
    """The study's sets (kept from an imported project), with their codes' and sources' GUIDs."""
    return tuple(
        core.CodeSet(
            guid=row.guid,
            name=row.name,
            codes=tuple(code.guid for code in row.codes.all()),
            sources=tuple(source.guid for source in row.sources.all()),
        )
        for row in CodeSet.objects.filter(study=study).prefetch_related("codes", "sources")
    )


def _tree_order(codes: list[Code]) -> list[Code]:
    """Parents before their children, each level in the codebook's order."""
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)  # type: ignore[attr-defined]
    ordered: list[Code] = []
    stack = list(reversed(children[None]))
    while stack:
        code = stack.pop()
        ordered.append(code)
        stack.extend(reversed(children[code.pk]))
    return ordered


def _notes(study: Study, coder_guid_by_user: dict[int, str]) -> tuple[core.Note, ...]:
    notes: list[core.Note] = []
    if study.reflexivity.strip():
        notes.append(
            core.Note(
                guid=stable_guid(study.guid, "reflexivity"),
                name=REFLEXIVITY_NOTE,
                text=study.reflexivity,
            )
        )
    for entry in PhaseEntry.objects.filter(study=study):
        notes.append(
            core.Note(
                guid=stable_guid(study.guid, "phase", str(entry.pk)),
                name=_phase_note_name(entry),
                text=entry.memo,
                creating_user=coder_guid_by_user.get(entry.author_id),  # type: ignore[attr-defined]
            )
        )
    for memo in Memo.objects.filter(study=study).select_related("code", "source"):
        if memo.code is not None:
            targets: tuple[str, ...] = (memo.code.guid,)
            name = f"Memo on {memo.code.name}"
        elif memo.source is not None:
            targets = (memo.source.guid,)
            name = f"Memo on {memo.source.name}"
        else:
            targets, name = (), "Memo"
        notes.append(
            core.Note(
                guid=stable_guid(study.guid, "memo", str(memo.pk)),
                name=name,
                text=memo.text,
                targets=targets,
                creating_user=coder_guid_by_user.get(memo.author_id),  # type: ignore[attr-defined]
                created=memo.updated_at,
            )
        )
    return tuple(notes)


# ---------------------------------------------------------------------------- project -> rows


@dataclass(frozen=True)
class ImportPlan:
    """What importing a project into a study would do: ``changes`` are what imheval keeps
    differently or leaves out (to show before the import), ``problems`` what stops it, and
    ``prepared`` the project as :func:`import_project` writes it (empty codings dropped, flat
    codes under "Imported codes", taken coder names and GUIDs replaced)."""

    changes: tuple[str, ...]
    problems: tuple[Problem, ...]
    prepared: core.Project | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ImportSummary:
    """How many rows an import made (codes and coders already in the study are reused)."""

    sources: int
    speakers: int
    codes: int
    coders: int
    codings: int
    memos: int
    changes: tuple[str, ...]
    sets: int = 0

    def sentence(self) -> str:
        def count(n: int, word: str) -> str:
            return f"{n} {word}" if n == 1 else f"{n} {word}s"

        parts = [
            count(self.sources, "source"),
            count(self.speakers, "speaker"),
            count(self.codes, "code"),
            count(self.coders, "coder"),
            count(self.codings, "coding"),
            count(self.memos, "memo"),
        ]
        if self.sets:
            parts.append(count(self.sets, "set"))
        return f"Imported {', '.join(parts[:-1])} and {parts[-1]}."


def _depths(project: core.Project) -> dict[str, int]:
    parents = {code.guid: code.parent for code in project.codes}
    depths: dict[str, int] = {}
    for guid in parents:
        depth, parent, seen = 0, parents[guid], {guid}
        while parent is not None and parent in parents and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = parents[parent]
        depths[guid] = depth
    return depths


def plan_import(study: Study, project: core.Project, file: str = "the project") -> ImportPlan:
    """What :func:`import_project` would change or drop, and the problems that stop it, each
    naming the element (no rows are written)."""
    problems: list[Problem] = []
    changes: list[str] = []

    def problem(message: str, field: str | None = None) -> None:
        problems.append(Problem(file=file, message=message, field=field))

    for kind, rows in (
        ("code", project.codes),
        ("source", project.sources),
        ("case", project.cases),
        ("coding", project.codings),
        ("user", project.users),
        ("set", project.sets),
    ):
        for guid, n in Counter(row.guid for row in rows).items():
            if n > 1:
                problem(f"{n} {kind}s share the GUID {guid}", field=f"{kind} {guid}")
    code_guids = {code.guid for code in project.codes}
    for code in project.codes:
        if code.parent is not None and code.parent not in code_guids:
            problem(
                f"code '{code.name}' sits under {code.parent}, which is not in the codebook",
                field=f"code {code.guid}",
            )
    texts = {source.guid: source for source in project.sources}
    empty: set[str] = set()
    for coding in project.codings:
        where = f"coding {coding.guid}"
        if coding.code not in code_guids:
            problem(f"points at code {coding.code}, which is not in the codebook", field=where)
        source = texts.get(coding.source)
        if source is None:
            problem(f"points at source {coding.source}, which is not in the project", field=where)
        elif not 0 <= coding.start <= coding.end <= len(source.text):
            problem(
                f"positions {coding.start} to {coding.end} lie outside '{source.name}' "
                f"({len(source.text)} characters)",
                field=where,
            )
        elif coding.start == coding.end:
            empty.add(coding.guid)
    case_guids = {case.guid for case in project.cases}
    for source in project.sources:
        for turn in source.turns:
            if turn.speaker not in case_guids:
                problem(
                    f"a turn at {turn.start} is spoken by {turn.speaker}, which is not a case",
                    field=f"source {source.guid}",
                )
    for code_set in project.sets:
        for member in code_set.codes:
            if member not in code_guids:
                problem(
                    f"set '{code_set.name}' holds code {member}, which is not in the codebook",
                    field=f"set {code_set.guid}",
                )
        for member in code_set.sources:
            if member not in texts:
                problem(
                    f"set '{code_set.name}' holds source {member}, which is not in the project",
                    field=f"set {code_set.guid}",
                )

    existing_sources = set(Source.objects.filter(study=study).values_list("name", flat=True))
    for source in project.sources:
        if source.name in existing_sources:
            problem(
                f"the study already has a source named '{source.name}'",
                field=f"source {source.guid}",
            )
    for name, n in Counter(source.name for source in project.sources).items():
        if n > 1:
            problem(f"{n} sources are named '{name}'", field="Sources")
    for name, n in Counter(case.name for case in project.cases).items():
        if n > 1:
            problem(f"{n} cases are named '{name}'", field="Cases")
    siblings = Counter((code.parent, code.name) for code in project.codes)
    for (_parent, name), n in siblings.items():
        if n > 1:
            problem(f"{n} codes named '{name}' sit under the same parent", field="CodeBook")

    depths = _depths(project)
    deep = [code.name for code in project.codes if depths[code.guid] > 2]
    if deep:
        changes.append(
            f"{len(deep)} code(s) nested deeper than three levels are kept as codes under their "
            f"parent code: {', '.join(sorted(deep)[:5])}"
        )
    bad_colours = [c.name for c in project.codes if c.color and not COLOUR.match(c.color)]
    if bad_colours:
        changes.append(
            f"{len(bad_colours)} colour(s) not in #RRGGBB form are dropped: "
            f"{', '.join(sorted(bad_colours)[:5])}"
        )
    if empty:
        changes.append(
            f"{len(empty)} empty coding(s) (the same start and end, so no text) are dropped"
        )
    if any(coding.coder is None for coding in project.codings):
        n = sum(1 for coding in project.codings if coding.coder is None)
        changes.append(f"{n} coding(s) name no coder and are given to '{UNKNOWN_CODER}'")
    on_other = [n for n in project.notes if n.targets and not _note_target(n, project)]
    if on_other:
        changes.append(
            f"{len(on_other)} note(s) on selections, cases or other notes become memos on the study"
        )
    taken_speakers = set(Speaker.objects.filter(study=study).values_list("label", flat=True))
    reused = sorted(case.name for case in project.cases if case.name in taken_speakers)
    if reused:
        changes.append(f"speakers already in the study are reused: {', '.join(reused[:10])}")
    doubtful = doubtful_labels([case.name for case in project.cases])
    if doubtful:
        changes.append(
            f"these speaker names may be real people's names: {', '.join(doubtful[:20])}. "
            "If any is a real name, list it with its label (such as 'Sarah = PX1') so it is "
            "replaced, or pseudonymise it in the tool that made the file"
        )
    if problems:
        return ImportPlan(changes=tuple(changes), problems=tuple(problems))
    prepared = dataclasses.replace(
        project, codings=tuple(c for c in project.codings if c.guid not in empty)
    )
    prepared = _flat_codes_under_a_theme(study, prepared, changes)
    prepared = _free_coder_names(study, prepared, changes)
    prepared = _free_guids(study, prepared, changes)
    return ImportPlan(changes=tuple(changes), problems=(), prepared=prepared)


#: The theme and sub-theme that hold a flat codebook's codes (codes at the top level).
IMPORTED_CODES = "Imported codes"


def _flat_codes_under_a_theme(
    study: Study, project: core.Project, changes: list[str]
) -> core.Project:
    """Codable top-level codes with nothing under them (a flat codebook, as ATLAS.ti and NVivo
    often export) moved under the theme and sub-theme "Imported codes": a top-level row is a
    theme in imheval, and a theme cannot be coded on the coding page."""
    parents = {code.parent for code in project.codes}
    flat = [
        code
        for code in project.codes
        if code.parent is None and code.codable and code.guid not in parents
    ]
    if not flat:
        return project
    theme = core.Code(
        guid=stable_guid(study.guid, "imported codes", "theme"),
        name=IMPORTED_CODES,
        description="Codes imported at the top level of another tool's codebook.",
        codable=False,
    )
    sub = core.Code(
        guid=stable_guid(study.guid, "imported codes", "sub-theme"),
        name=IMPORTED_CODES,
        parent=theme.guid,
        description=theme.description,
        codable=False,
    )
    moved = {code.guid for code in flat}
    names = ", ".join(f"'{code.name}'" for code in flat[:5])
    more = f" and {len(flat) - 5} more" if len(flat) > 5 else ""
    changes.append(
        f"{len(flat)} code(s) at the top level with nothing under them ({names}{more}) go under "
        f"a theme '{IMPORTED_CODES}' and its sub-theme '{IMPORTED_CODES}', so they can still "
        "be coded; move them into your own themes on the codebook page"
    )
    codes = (
        theme,
        sub,
        *(
            dataclasses.replace(code, parent=sub.guid) if code.guid in moved else code
            for code in project.codes
        ),
    )
    return dataclasses.replace(project, codes=codes)


def _free_coder_names(study: Study, project: core.Project, changes: list[str]) -> core.Project:
    """Coders are matched by GUID only: a new coder whose name the study (or an earlier user of
    the file) already has is imported as "Name (imported)", never merged with that coder."""
    existing = dict(Coder.objects.filter(study=study).values_list("guid", "name"))
    taken = set(existing.values()) | {UNKNOWN_CODER}
    users: list[core.User] = []
    renamed: list[str] = []
    for user in project.users:
        if user.guid in existing:
            users.append(dataclasses.replace(user, name=existing[user.guid]))
            continue
        name = user.name[:150]
        number = 1
        while name in taken:
            suffix = " (imported)" if number == 1 else f" (imported {number})"
            name = user.name[: 150 - len(suffix)] + suffix
            number += 1
        taken.add(name)
        if name != user.name:
            renamed.append(f"'{user.name}' as '{name}'")
        users.append(dataclasses.replace(user, name=name))
    if renamed:
        changes.append(
            f"{len(renamed)} coder(s) have the name of another coder in the study or the file, "
            f"so they are kept apart under another name: {', '.join(renamed[:10])}"
        )
    return dataclasses.replace(project, users=tuple(users))


def _study_guids(study: Study) -> dict[str, set[str]]:
    """Every GUID the study's rows hold, by kind."""
    codings = Coding.objects.filter(source__study=study)
    return {
        "code": set(Code.objects.filter(study=study).values_list("guid", flat=True)),
        "source": set(Source.objects.filter(study=study).values_list("guid", flat=True)),
        "case": set(Speaker.objects.filter(study=study).values_list("guid", flat=True)),
        "user": set(Coder.objects.filter(study=study).values_list("guid", flat=True)),
        "coding": set(codings.values_list("guid", flat=True)),
        "selection": set(codings.values_list("selection_guid", flat=True)),
        "set": set(CodeSet.objects.filter(study=study).values_list("guid", flat=True)),
        "study": {study.guid},
    }


def _free_guids(study: Study, project: core.Project, changes: list[str]) -> core.Project:
    """New rows whose GUID the study already holds get fresh GUIDs (and say so), so that an
    export never carries one GUID twice. Rows the import reuses keep theirs: codes and coders
    matched by GUID, speakers matched by label, sets matched by GUID (they gain members)."""
    held = _study_guids(study)
    everything = set().union(*held.values())
    speakers = set(Speaker.objects.filter(study=study).values_list("label", flat=True))
    swap: dict[str, str] = {}
    renewed = Counter[str]()

    def renew(kind: str, guid: str, reused_if_held: bool = False) -> None:
        if guid in swap or guid not in everything:
            return
        if reused_if_held and guid in held[kind]:
            return
        swap[guid] = new_guid()
        renewed[kind] += 1

    for code in project.codes:
        renew("code", code.guid, reused_if_held=True)
    for user in project.users:
        renew("user", user.guid, reused_if_held=True)
    for code_set in project.sets:
        renew("set", code_set.guid, reused_if_held=True)
    for source in project.sources:
        renew("source", source.guid)
    for case in project.cases:
        if case.name[:60] not in speakers:
            renew("case", case.guid)
    for coding in project.codings:
        renew("coding", coding.guid)
        renew("selection", coding.selection)
    if not swap:
        return project
    words = {
        "code": "code",
        "user": "coder",
        "set": "set",
        "source": "source",
        "case": "speaker",
        "coding": "coding",
        "selection": "selection",
    }
    listed = ", ".join(f"{n} {words[kind]}(s)" for kind, n in renewed.items())
    changes.append(
        f"{listed} have GUIDs the study already holds; they are given new GUIDs, so other "
        "tools will see them as new items"
    )

    def new(guid: str | None) -> str | None:
        return swap.get(guid, guid) if guid is not None else None

    def same(guid: str) -> str:
        return swap.get(guid, guid)

    return dataclasses.replace(
        project,
        codes=tuple(
            dataclasses.replace(c, guid=same(c.guid), parent=new(c.parent)) for c in project.codes
        ),
        users=tuple(dataclasses.replace(u, guid=same(u.guid)) for u in project.users),
        sources=tuple(
            dataclasses.replace(
                s,
                guid=same(s.guid),
                turns=tuple(dataclasses.replace(t, speaker=same(t.speaker)) for t in s.turns),
                creating_user=new(s.creating_user),
            )
            for s in project.sources
        ),
        cases=tuple(
            dataclasses.replace(c, guid=same(c.guid), sources=tuple(map(same, c.sources)))
            for c in project.cases
        ),
        codings=tuple(
            dataclasses.replace(
                c,
                guid=same(c.guid),
                selection=same(c.selection),
                source=same(c.source),
                code=same(c.code),
                coder=new(c.coder),
            )
            for c in project.codings
        ),
        notes=tuple(
            dataclasses.replace(
                n, targets=tuple(map(same, n.targets)), creating_user=new(n.creating_user)
            )
            for n in project.notes
        ),
        sets=tuple(
            dataclasses.replace(
                s,
                guid=same(s.guid),
                codes=tuple(map(same, s.codes)),
                sources=tuple(map(same, s.sources)),
            )
            for s in project.sets
        ),
    )


def _note_target(note: core.Note, project: core.Project) -> str | None:
    """The first target of a note that is a code or a source, if any."""
    known = {code.guid for code in project.codes} | {s.guid for s in project.sources}
    return next((target for target in note.targets if target in known), None)


def import_project(
    study: Study, project: core.Project, actor: Any, file: str = "the project"
) -> ImportSummary:
    """Write ``project`` into ``study`` in one transaction: all of it, or (raising
    :class:`ImportConflictError` with every problem named by element) nothing.

    What is written is the plan's ``prepared`` project (:func:`plan_import`). Codes already in
    the study (same GUID, or same name under the same parent) and coders already in it (same
    GUID) are reused; speakers are matched by label; sets by GUID. Levels come from depth:
    top-level codes are themes, their children sub-themes, anything deeper codes.
    """
    plan = plan_import(study, project, file)
    if plan.problems or plan.prepared is None:
        raise ImportConflictError(plan.problems)
    project = plan.prepared
    with transaction.atomic():
        made = Counter[str]()
        code_rows = _import_codes(study, project, actor, made)
        existing_coders = {c.guid: c for c in Coder.objects.filter(study=study)}
        coder_rows: dict[str | None, Coder] = {}
        for user in project.users:
            coder = existing_coders.get(user.guid)
            if coder is None:
                coder = Coder.objects.create(study=study, name=user.name, guid=user.guid)
                made["coders"] += 1
            coder_rows[user.guid] = coder
        speaker_rows: dict[str, Speaker] = {}
        for case in project.cases:
            speaker, created = Speaker.objects.get_or_create(
                study=study,
                label=case.name[:60],
                defaults={"guid": case.guid, "attributes": dict(case.attributes)},
            )
            made["speakers"] += created
            speaker_rows[case.guid] = speaker
        source_rows: dict[str, Source] = {}
        for source in project.sources:
            row = Source.objects.create(
                study=study,
                name=source.name[:200],
                text=source.text,
                origin=f"REFI-QDA ({project.origin})" if project.origin else "REFI-QDA",
                guid=source.guid,
            )
            source_rows[source.guid] = row
            Turn.objects.bulk_create(
                Turn(
                    source=row,
                    speaker=speaker_rows[turn.speaker],
                    start=turn.start,
                    end=turn.end,
                )
                for turn in source.turns
            )
        made["sources"] = len(source_rows)
        # one save each, not bulk_create, so the audit log records every coding made
        for coding in project.codings:
            coder = coder_rows.get(coding.coder)
            if coder is None:
                coder, created = Coder.objects.get_or_create(study=study, name=UNKNOWN_CODER)
                made["coders"] += created
                coder_rows[coding.coder] = coder
            Coding.objects.create(
                source=source_rows[coding.source],
                code=code_rows[coding.code],
                coder=coder,
                start=coding.start,
                end=coding.end,
                exemplar=coding.exemplar,
                memo=coding.memo,
                guid=coding.guid,
                selection_guid=coding.selection,
            )
        made["codings"] = len(project.codings)
        made["sets"] = _import_sets(study, project, code_rows, source_rows)
        made["memos"] = _import_notes(study, project, actor, code_rows, source_rows)
    return ImportSummary(
        sources=made["sources"],
        speakers=made["speakers"],
        codes=made["codes"],
        coders=made["coders"],
        codings=made["codings"],
        memos=made["memos"],
        changes=plan.changes,
        sets=made["sets"],
    )


def _import_sets(
    study: Study,
    project: core.Project,
    code_rows: dict[str, Code],
    source_rows: dict[str, Source],
) -> int:
    """Sets made (a set the study already has, by GUID, gains the file's members)."""
    made = 0
    existing = {row.guid: row for row in CodeSet.objects.filter(study=study)}
    for code_set in project.sets:
        row = existing.get(code_set.guid)
        if row is None:
            row = CodeSet.objects.create(study=study, name=code_set.name[:200], guid=code_set.guid)
            made += 1
        row.codes.add(*(code_rows[guid] for guid in code_set.codes))
        row.sources.add(*(source_rows[guid] for guid in code_set.sources))
    return made


def _import_codes(
    study: Study, project: core.Project, actor: Any, made: Counter[str]
) -> dict[str, Code]:
    depths = _depths(project)
    by_guid = {code.guid: code for code in Code.objects.filter(study=study)}
    rows: dict[str, Code] = {}
    position = Counter[str | None]()
    # parents first: sort by depth, keeping the file's order within a depth
    for code in sorted(project.codes, key=lambda c: depths[c.guid]):
        parent = rows[code.parent] if code.parent is not None else None
        existing = (
            by_guid.get(code.guid)
            or Code.objects.filter(study=study, parent=parent, name=code.name[:200]).first()
        )
        if existing is not None:
            rows[code.guid] = existing
            continue
        position[code.parent] += 1
        row = Code.objects.create(
            study=study,
            parent=parent,
            level=LEVEL_BY_DEPTH[min(depths[code.guid], 2)].value,
            name=code.name[:200],
            definition=code.description,
            colour=code.color if code.color and COLOUR.match(code.color) else "",
            position=position[code.parent],
            guid=code.guid,
        )
        CodeChange.objects.create(
            code=row, kind=CodeChange.Kind.CREATED, after=row.name, changed_by=actor
        )
        rows[code.guid] = row
        made["codes"] += 1
    return rows


def _import_notes(
    study: Study,
    project: core.Project,
    actor: Any,
    code_rows: dict[str, Code],
    source_rows: dict[str, Source],
) -> int:
    memos = 0
    for note in project.notes:
        if not note.targets and note.name == REFLEXIVITY_NOTE:
            study.reflexivity = note.text
            study.save(update_fields=["reflexivity"])
            continue
        phase = PHASE_NOTE.match(note.name) if not note.targets else None
        if phase is not None:
            PhaseEntry.objects.create(
                study=study,
                phase=int(phase.group(1)),
                date=datetime.date.fromisoformat(phase.group(2)),
                memo=note.text,
                author=actor,
            )
            continue
        target = _note_target(note, project)
        text = note.text
        if target is None and note.name and not note.name.startswith("Memo"):
            text = f"{note.name}\n\n{note.text}"
        Memo.objects.create(
            study=study,
            code=code_rows.get(target) if target else None,
            source=source_rows.get(target) if target else None,
            text=text,
            author=actor,
        )
        memos += 1
    return memos
