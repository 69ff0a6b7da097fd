"""The demo's focus groups: the qualitative half beside the demo study's questionnaires.

:func:`load_focus_groups` adds two reflexive thematic analyses to the demo organisation:

- **Cohort S1's focus groups** (seed 000's design): two groups six and seven weeks after the
  Solihull course, eight practitioners (PX1 to PX8: health visitors, social workers, family
  support workers, a speech and language therapist) and a facilitator; four themes with
  sub-themes and codes, each defined; about thirty codings with exemplars; the six phases
  logged; a reflexivity statement; a theme renamed by the analyst; the second reviewer's
  decisions (accepts, a comment on a quote with the analyst's answer, a proposed rename
  applied); and quotes linked to the cohort's knowledge and self-efficacy findings, so the
  joint display sets "a light bulb moment" beside the knowledge result as seed 000 did.
- **The network group's focus group** (seed 002's design): seven members (PX1 to PX7) on the
  benefits and challenges of the group, seed 002's four themes and thirteen sub-themes (its
  Table 3), the theme seed 002 renamed late kept in the codebook's history; it appears in the
  group's report.

The rows are made the way a user's are: each transcript is read by
:func:`~imheval.qualitative.transcripts.read_transcript` (speaker turns found, the listed
service name replaced), the study goes in as a core project through
:func:`~imheval.web.qualitative.adapter.import_project` (sources, speakers, codebook, codings,
reflexivity, phase log, memos), and a proposal is applied by the review page's
:func:`~imheval.web.qualitative.review.apply_proposal`. Quotes are given as words, found in the
pseudonymised text, so the stored offsets always hold them.

Joint display links name their findings by key (:func:`imheval.qualitative.outputs.finding_key`):
``DOMAIN/KIND/COMPARISON``. Computing the evaluation during the load would only confirm keys
that the same data always gives; tests/web/test_qual_demo.py checks they are among the cohort's
findings.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from imheval.qualitative import model as core
from imheval.qualitative.model import new_guid
from imheval.qualitative.transcripts import read_transcript
from imheval.web.organisations.audit import acting_as
from imheval.web.organisations.models import Organisation
from imheval.web.qualitative.adapter import REFLEXIVITY_NOTE, import_project
from imheval.web.qualitative.demo_studies import (
    COHORT_FOCUS_GROUPS,
    COHORT_STUDY,
    DEMO_COHORT,
    NETWORK_FOCUS_GROUP_STUDY,
    NETWORK_STUDY,
    DemoStudy,
    Row,
)
from imheval.web.qualitative.demo_transcripts import NAMES
from imheval.web.qualitative.models import (
    Code,
    CodeChange,
    Coder,
    Coding,
    FindingLink,
    Phase,
    Review,
    Source,
    SourceKind,
    Study,
)
from imheval.web.qualitative.review import apply_proposal


def load_focus_groups(
    organisation: Organisation,
    analyst: Any,
    reviewer: Any,
    network_group: Any,
    today: datetime.date,
) -> tuple[Study, Study]:
    """Add the demo's two studies to ``organisation`` (see the module docstring): cohort
    S1's, coded by ``analyst`` and reviewed by ``reviewer``, and ``network_group``'s, held
    about ten weeks before ``today``. Returns (cohort study, network group study)."""
    from imheval.web.workspace.models import Cohort

    cohort = Cohort.objects.in_organisation(organisation).get(name=DEMO_COHORT)
    after_course = (cohort.end_date or cohort.start_date or today) + datetime.timedelta(weeks=6)
    cohort_study = Study.objects.create(
        organisation=organisation, name=COHORT_STUDY, cohort=cohort, created_by=analyst
    )
    _load(
        COHORT_FOCUS_GROUPS,
        cohort_study,
        analyst,
        reviewer,
        (after_course, after_course + datetime.timedelta(weeks=1)),
    )
    held = (
        network_group.meetings.filter(date__lte=today - datetime.timedelta(weeks=9))
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    ) or today - datetime.timedelta(weeks=9)
    network_study = Study.objects.create(
        organisation=organisation,
        name=NETWORK_STUDY,
        network_group=network_group,
        created_by=analyst,
    )
    _load(NETWORK_FOCUS_GROUP_STUDY, network_study, analyst, reviewer, (held,))
    return cohort_study, network_study


def _load(
    spec: DemoStudy,
    study: Study,
    analyst: Any,
    reviewer: Any,
    held_on: Sequence[datetime.date],
) -> None:
    # the analyst's own coder, so the coding page shows the demo codings as theirs
    coder = Coder.objects.create(study=study, name=analyst.get_username(), user=analyst)
    phase_start = max(held_on) + datetime.timedelta(weeks=1)
    project, quote_guids = _project(spec, core.User(guid=coder.guid, name=coder.name), phase_start)
    import_project(study, project, analyst, file=spec.name)
    for (_name, file, _text), source, day in zip(
        spec.transcripts, project.sources, held_on, strict=True
    ):
        Source.objects.filter(guid=source.guid, study=study).update(
            held_on=day, origin=file, kind=SourceKind.FOCUS_GROUP
        )
    codes = {code.name: code for code in Code.objects.filter(study=study)}
    for before, after in spec.renames:
        code = codes.pop(before)
        CodeChange.objects.create(
            code=code, kind=CodeChange.Kind.RENAMED, before=before, after=after, changed_by=analyst
        )
        code.name = after
        code.save()
        codes[after] = code
    by_guid = {c.guid: c for c in Coding.objects.filter(source__study=study)}
    codings = {
        quote.words: by_guid[guid] for quote, guid in zip(spec.quotes, quote_guids, strict=True)
    }
    _review(spec, study, codes, codings, analyst, reviewer)
    _link(spec, study, codings)


def _project(
    spec: DemoStudy, coder: core.User, phase_start: datetime.date
) -> tuple[core.Project, list[str]]:
    """The study as a core project (transcripts read as an upload reads them, quotes found
    in the pseudonymised text) and each quote's coding GUID."""
    cases = {label: new_guid() for label in spec.speakers}
    sources: list[core.Source] = []
    for name, file, text in spec.transcripts:
        transcript = read_transcript(text.encode("utf-8"), file, names=NAMES)
        turns = tuple(core.Turn(t.start, t.end, cases[t.speaker]) for t in transcript.turns)
        sources.append(core.Source(guid=new_guid(), name=name, text=transcript.text, turns=turns))
    codes: list[core.Code] = []
    guids: dict[str, str] = {}

    def add(row: Row, parent: str | None) -> None:
        guid = guids[row.name] = new_guid()
        codes.append(core.Code(guid=guid, name=row.name, parent=parent, description=row.definition))
        for child in row.children:
            add(child, guid)

    for theme in spec.codebook:
        add(theme, None)
    codings: list[core.Coding] = []
    for quote in spec.quotes:
        source = sources[quote.source]
        start = _find(source, quote.words)
        codings.append(
            core.Coding(
                guid=new_guid(),
                selection=new_guid(),
                source=source.guid,
                start=start,
                end=start + len(quote.words),
                code=guids[quote.code],
                coder=coder.guid,
                exemplar=quote.exemplar,
            )
        )
    notes = [core.Note(guid=new_guid(), name=REFLEXIVITY_NOTE, text=spec.reflexivity)]
    for number, memo in enumerate(spec.phases, start=1):
        day = phase_start + datetime.timedelta(weeks=number - 1)
        label = str(dict(Phase.choices)[number]).split(". ", 1)[-1]
        notes.append(
            core.Note(
                guid=new_guid(), name=f"Phase {number} ({day.isoformat()}): {label}", text=memo
            )
        )
    for row, memo in spec.memos:
        notes.append(
            core.Note(guid=new_guid(), name=f"Memo on {row}", text=memo, targets=(guids[row],))
        )
    used = {turn.speaker for source in sources for turn in source.turns}
    project = core.Project(
        name=spec.name,
        users=(coder,),
        codes=tuple(codes),
        sources=tuple(sources),
        codings=tuple(codings),
        cases=tuple(
            core.Case(guid=guid, name=label, attributes=dict(spec.speakers[label]))
            for label, guid in cases.items()
            if guid in used
        ),
        notes=tuple(notes),
    )
    return project, [coding.guid for coding in codings]


def _find(source: core.Source, words: str) -> int:
    """Where ``words`` start in the source's text; they must occur there exactly once."""
    start = source.text.find(words)
    if start < 0 or source.text.find(words, start + 1) >= 0:
        raise ValueError(f"'{words[:40]}' must occur exactly once in {source.name}")
    return start


def _review(
    spec: DemoStudy,
    study: Study,
    codes: dict[str, Code],
    codings: dict[str, Coding],
    analyst: Any,
    reviewer: Any,
) -> None:
    for step in spec.reviews:
        code = codes[step.code]
        quoted = [coding for words, coding in codings.items() if words.startswith(step.quote)]
        with acting_as(reviewer, "demo loader"):
            review = Review.objects.create(
                study=study,
                code=code,
                coding=quoted[0] if step.quote else None,
                reviewer=reviewer,
                decision=step.decision,
                comment=step.comment,
                proposed_name=step.proposed_name,
            )
        if step.response:
            if step.decision == "propose":
                apply_proposal(review, code, analyst)
            review.response = step.response
            review.responded_by = analyst
            review.responded_at = timezone.now()
            review.save()


def _link(spec: DemoStudy, study: Study, codings: dict[str, Coding]) -> None:
    position: dict[str, int] = {}
    for quote in spec.quotes:
        if not quote.finding:
            continue
        coding = codings[quote.words]
        position[quote.finding] = position.get(quote.finding, 0) + 1
        FindingLink.objects.create(
            study=study,
            finding=quote.finding,
            coding=coding,
            note=quote.note,
            position=position[quote.finding],
        )
