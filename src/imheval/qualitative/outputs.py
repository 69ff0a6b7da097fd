"""What a qualitative analysis shows: Table 3, quotes by sub-theme, the code-by-speaker matrix,
a breakdown by speaker attributes, and the joint display beside the questionnaire's findings.

Everything is computed from a :class:`~imheval.qualitative.model.Project` (the web app builds
one from its rows; a REFI-QDA import gives one) and returned as frozen values; the report
(:mod:`imheval.reports.sections.qualitative`) and the web pages show them, and
:mod:`imheval.qualitative.outputs_write` writes the matrix as CSV, XLSX or SPSS.

Levels come from the codebook's depth (:meth:`Project.code_level`): themes hold sub-themes,
sub-themes hold codes. A row "supports" a theme or sub-theme when it supports the row itself or
any row beneath it.

* **A source supports** a row when any coding of the row (or beneath it) is in it.
* **A speaker supports** a row when one of their turns overlaps such a coding by at least one
  character. The facilitator (a speaker labelled "Facilitator", "Moderator" or "Interviewer",
  or whose ``role`` attribute is one of those) asks the questions: their turns are left out of
  the speakers who support a row and of the matrix (a coding that lies only in a facilitator's
  turn still counts as a coding, and its source still supports the row).
* **Codings** counts every coding of the row and beneath it, by every coder.

Privacy: speakers are named by their pseudonymous case labels only (PX1); a quote attributed
by role names a role only when at least ``min_role_size`` speakers of that source share it
(:data:`MIN_ROLE_SIZE`, the small-group rule's 5; otherwise "Participant"); every breakdown by
case attributes goes through :func:`imheval.suppression.suppress` (decision 0003).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from imheval.findings.model import Finding
from imheval.qualitative.model import Case, Code, Coding, Level, Project, Source
from imheval.suppression import Suppression, suppress

#: Speaker labels (compared case-insensitively) and ``role`` values of the person who runs a
#: focus group or interview: not a participant, so not a supporting speaker.
FACILITATOR_LABELS = frozenset({"facilitator", "moderator", "interviewer"})

#: What a quote is attributed to: the speaker's label (PX2), or role and group
#: ("Community Mental Health Nurse – Focus group 1").
Attribution = Literal["speaker", "role"]

#: The case attributes read, in order, for a speaker's role when quotes are attributed by role.
ROLE_ATTRIBUTES = ("role", "profession")

#: Said of a quote that spans the turns of more than one speaker.
SEVERAL_SPEAKERS = "Several speakers"
#: Said of a quote in no speaker's turn (open-text answers imported without speakers).
UNKNOWN_SPEAKER = "Speaker not known"
#: The role shown when a speaker's role is not recorded, or too few share it.
PARTICIPANT = "Participant"
#: How many speakers of a source must share a role before a quote is attributed to it: the
#: small-group rule (decision 0003), since "the one midwife in Focus group 1" names a person.
MIN_ROLE_SIZE = 5
#: A breakdown's column for speakers without a value for the attribute.
NOT_RECORDED = "Not recorded"

#: Separator between the levels of a code's path: "Theme > Sub-theme > Code".
PATH_SEPARATOR = " > "

#: Longest key a joint display link can store (``FindingLink.finding``).
MAX_KEY_LENGTH = 200


# -- the codebook -------------------------------------------------------------------------------


def codebook_order(project: Project) -> tuple[Code, ...]:
    """The codebook depth first: each row followed by the rows beneath it, siblings in the
    project's order. Rows whose parent is unknown are treated as top-level."""
    known = {code.guid for code in project.codes}
    children: dict[str | None, list[Code]] = {}
    for code in project.codes:
        parent = code.parent if code.parent in known else None
        children.setdefault(parent, []).append(code)
    ordered: list[Code] = []
    seen: set[str] = set()

    def visit(code: Code) -> None:
        if code.guid in seen:  # a cycle: each row once
            return
        seen.add(code.guid)
        ordered.append(code)
        for child in children.get(code.guid, ()):
            visit(child)

    for top in children.get(None, ()):
        visit(top)
    return tuple(ordered)


def code_path(project: Project, guid: str) -> str:
    """The row's names from its theme down: "Theme > Sub-theme > Code"."""
    by_guid = {code.guid: code for code in project.codes}
    names: list[str] = []
    current: str | None = guid
    while current is not None and current in by_guid and len(names) <= len(by_guid):
        names.append(by_guid[current].name)
        current = by_guid[current].parent
    return PATH_SEPARATOR.join(reversed(names))


def _subtree(project: Project) -> dict[str, frozenset[str]]:
    """Each row's GUID -> the GUIDs of the row and every row beneath it."""
    parents = {code.guid: code.parent for code in project.codes}
    beneath: dict[str, set[str]] = {guid: {guid} for guid in parents}
    for guid in parents:
        parent, steps = parents[guid], 0
        while parent is not None and parent in parents and steps <= len(parents):
            beneath[parent].add(guid)
            parent, steps = parents[parent], steps + 1
    return {guid: frozenset(rows) for guid, rows in beneath.items()}


# -- speakers -----------------------------------------------------------------------------------


def is_facilitator(case: Case) -> bool:
    """True for the person who runs the group (see the module docstring)."""
    role = _attribute(case, "role")
    return (
        case.name.strip().casefold() in FACILITATOR_LABELS
        or (role or "").strip().casefold() in FACILITATOR_LABELS
    )


def _attribute(case: Case, name: str) -> str | None:
    """A case attribute by name, any case; None when missing or blank."""
    for key, value in case.attributes.items():
        if key.strip().casefold() == name and str(value).strip():
            return str(value).strip()
    return None


def coding_speakers(source: Source, start: int, end: int) -> tuple[str, ...]:
    """The case GUIDs whose turns in ``source`` overlap ``[start, end)``, in turn order."""
    speakers: list[str] = []
    for turn in source.turns:
        if turn.start < end and start < turn.end and turn.speaker not in speakers:
            speakers.append(turn.speaker)
    return tuple(speakers)


def _speakers_of(project: Project, codings: Sequence[Coding]) -> list[tuple[str, ...]]:
    """For each coding (same order), the case GUIDs whose turns it overlaps; worked out once,
    since every theme above a coding asks again."""
    sources = {source.guid: source for source in project.sources}
    return [
        coding_speakers(sources[c.source], c.start, c.end) if c.source in sources else ()
        for c in codings
    ]


def _codings(project: Project, coders: Collection[str] | None) -> tuple[Coding, ...]:
    if coders is None:
        return project.codings
    return tuple(c for c in project.codings if c.coder in coders)


# -- Table 3 ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThemeRow:
    """One theme or sub-theme of Table 3, with what supports it (see the module docstring).

    ``speakers`` holds the supporting speakers' case GUIDs (facilitators left out), in the
    project's case order; ``sources`` the supporting sources' GUIDs.
    """

    guid: str
    level: Level
    name: str
    definition: str
    path: str
    sources: tuple[str, ...]
    speakers: tuple[str, ...]
    codings: int

    @property
    def source_count(self) -> int:
        return len(self.sources)

    @property
    def speaker_count(self) -> int:
        return len(self.speakers)


def table3(project: Project, *, coders: Collection[str] | None = None) -> tuple[ThemeRow, ...]:
    """Seed 002's Table 3: every theme, each followed by its sub-themes, in codebook order, with
    the numbers of sources and speakers that support it and of codings.

    ``coders`` (User GUIDs) counts only their codings (e.g. the agreed coder of a codebook
    study); None counts everyone's. Codes (the third level) are not rows: they count towards
    their sub-theme and theme.

    >>> from imheval.qualitative.model import Code, Project
    >>> [row.name for row in table3(Project("p", codes=(Code("T", "Theme"),)))]
    ['Theme']
    """
    beneath = _subtree(project)
    sources = {source.guid: source for source in project.sources}
    cases = {case.guid: case for case in project.cases}
    case_order = {case.guid: index for index, case in enumerate(project.cases)}
    source_order = {source.guid: index for index, source in enumerate(project.sources)}
    codings = _codings(project, coders)
    speakers_of = _speakers_of(project, codings)
    rows: list[ThemeRow] = []
    for code in codebook_order(project):
        level = project.code_level(code.guid)
        if level is Level.CODE:
            continue
        mine = [i for i, c in enumerate(codings) if c.code in beneath[code.guid]]
        supporting_sources = sorted(
            {codings[i].source for i in mine if codings[i].source in sources},
            key=source_order.__getitem__,
        )
        speakers = {speaker for i in mine for speaker in speakers_of[i]}
        supporting = [s for s in speakers if s in cases and not is_facilitator(cases[s])]
        rows.append(
            ThemeRow(
                guid=code.guid,
                level=level,
                name=code.name,
                definition=code.description,
                path=code_path(project, code.guid),
                sources=tuple(supporting_sources),
                speakers=tuple(sorted(supporting, key=case_order.__getitem__)),
                codings=len(mine),
            )
        )
    return tuple(rows)


def table3_labels(rows: Sequence[ThemeRow]) -> tuple[str, ...]:
    """Each Table 3 row's label: "Theme 1: NAME" for a theme, "1.2 NAME" for its second
    sub-theme (the numbering the report, the page and the downloads share).

    >>> from imheval.qualitative.model import Code, Project
    >>> codes = (Code("T", "Feeling heard"), Code("S", "Being asked", parent="T"))
    >>> table3_labels(table3(Project("p", codes=codes)))
    ('Theme 1: Feeling heard', '1.1 Being asked')
    """
    labels: list[str] = []
    theme_number = subtheme_number = 0
    for row in rows:
        if row.level is Level.THEME:
            theme_number, subtheme_number = theme_number + 1, 0
            labels.append(f"Theme {theme_number}: {row.name}")
        else:
            subtheme_number += 1
            labels.append(f"{theme_number}.{subtheme_number} {row.name}")
    return tuple(labels)


# -- quotes -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Quote:
    """One coded passage as a report quotes it.

    ``text`` is ``source.text[start:end]`` with its white space tidied (and cut to the word
    limit, ``truncated`` then true); ``attribution`` the speaker label or role and group.
    """

    coding: str
    code: str
    source: str
    start: int
    end: int
    text: str
    attribution: str
    exemplar: bool = False
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class QuoteGroup:
    """The quotes of one sub-theme (or of a theme, for codings made on the theme itself)."""

    guid: str
    level: Level
    name: str
    path: str
    quotes: tuple[Quote, ...]


def quote_text(text: str, word_limit: int | None = None) -> tuple[str, bool]:
    """``text`` trimmed, runs of white space made one space, and cut to ``word_limit`` words
    (ending in "…"); returns the text and whether it was cut. Raises ValueError for a word
    limit below 1."""
    if word_limit is not None and word_limit < 1:
        raise ValueError("the word limit must be at least 1")
    words = text.split()
    if word_limit is not None and len(words) > word_limit:
        return " ".join(words[:word_limit]) + " …", True
    return " ".join(words), False


def attribute_quote(
    project: Project,
    source: Source,
    start: int,
    end: int,
    *,
    attribution: Attribution = "speaker",
    min_role_size: int = MIN_ROLE_SIZE,
) -> str:
    """Who said ``source.text[start:end]``: the speaker's label (PX2), "Several speakers" when
    it spans the turns of more than one (the facilitator's included), or "Speaker not known";
    or, with ``attribution="role"``, "ROLE – SOURCE" as seed 000 did, where ROLE is the
    speaker's ``role`` (or ``profession``) attribute when at least ``min_role_size`` speakers
    of the source share it, and "Participant" otherwise."""
    cases = {case.guid: case for case in project.cases}
    speakers = [s for s in coding_speakers(source, start, end) if s in cases]
    if attribution == "speaker":
        if not speakers:
            return UNKNOWN_SPEAKER
        return cases[speakers[0]].name if len(speakers) == 1 else SEVERAL_SPEAKERS
    if len(speakers) != 1:
        who = SEVERAL_SPEAKERS if speakers else PARTICIPANT
        return f"{who} – {source.name}"
    role = _role(cases[speakers[0]])
    in_source = {turn.speaker for turn in source.turns if turn.speaker in cases}
    sharing = sum(1 for guid in in_source if _role(cases[guid]) == role)
    if role is None or sharing < min_role_size:
        role = PARTICIPANT
    return f"{role} – {source.name}"


def _role(case: Case) -> str | None:
    for name in ROLE_ATTRIBUTES:
        value = _attribute(case, name)
        if value is not None:
            return value
    return None


def make_quote(
    project: Project,
    coding: Coding,
    *,
    attribution: Attribution = "speaker",
    word_limit: int | None = None,
    min_role_size: int = MIN_ROLE_SIZE,
) -> Quote | None:
    """The quote of one coding, or None when its source is not in the project."""
    source = next((s for s in project.sources if s.guid == coding.source), None)
    if source is None:
        return None
    text, truncated = quote_text(source.text[coding.start : coding.end], word_limit)
    return Quote(
        coding=coding.guid,
        code=coding.code,
        source=source.guid,
        start=coding.start,
        end=coding.end,
        text=text,
        attribution=attribute_quote(
            project,
            source,
            coding.start,
            coding.end,
            attribution=attribution,
            min_role_size=min_role_size,
        ),
        exemplar=coding.exemplar,
        truncated=truncated,
    )


def quotes_by_subtheme(
    project: Project,
    *,
    attribution: Attribution = "speaker",
    word_limit: int | None = None,
    min_role_size: int = MIN_ROLE_SIZE,
    coders: Collection[str] | None = None,
) -> tuple[QuoteGroup, ...]:
    """The quotes of each sub-theme (its codings and its codes'), in codebook order; a theme
    coded directly gets a group of its own before its sub-themes. Groups without quotes are
    left out.

    In a group, exemplars come first, then the rest in text order (source order, then start).
    A passage coded more than once (two coders, or the sub-theme and one of its codes) is
    quoted once, as an exemplar if any of its codings is one. Empty passages are left out.
    """
    beneath = _subtree(project)
    codings = _codings(project, coders)
    source_order = {source.guid: index for index, source in enumerate(project.sources)}
    groups: list[QuoteGroup] = []
    for code in codebook_order(project):
        level = project.code_level(code.guid)
        if level is Level.CODE:
            continue
        rows = {code.guid} if level is Level.THEME else beneath[code.guid]
        by_passage: dict[tuple[str, int, int], Quote] = {}
        for coding in codings:
            if coding.code not in rows or coding.source not in source_order:
                continue
            quote = make_quote(
                project,
                coding,
                attribution=attribution,
                word_limit=word_limit,
                min_role_size=min_role_size,
            )
            if quote is None or not quote.text:
                continue
            passage = (coding.source, coding.start, coding.end)
            earlier = by_passage.get(passage)
            if earlier is None or (quote.exemplar and not earlier.exemplar):
                by_passage[passage] = quote
        if not by_passage:
            continue
        quotes = sorted(
            by_passage.values(),
            key=lambda q: (not q.exemplar, source_order[q.source], q.start, q.end),
        )
        groups.append(
            QuoteGroup(code.guid, level, code.name, code_path(project, code.guid), tuple(quotes))
        )
    return tuple(groups)


# -- the code-by-speaker matrix -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatrixColumn:
    """A column of the matrix: a sub-theme or code, named by its path."""

    guid: str
    level: Level
    path: str


@dataclass(frozen=True, slots=True)
class SpeakerMatrix:
    """Rows are speakers (case labels), columns sub-themes and codes; ``values[i][j]`` is 1 when
    speaker ``i`` supports column ``j`` (a turn of theirs overlaps a coding of it or of a code
    beneath it), else 0."""

    speakers: tuple[str, ...]
    columns: tuple[MatrixColumn, ...]
    values: tuple[tuple[int, ...], ...]

    def __post_init__(self) -> None:
        if len(self.values) != len(self.speakers) or any(
            len(row) != len(self.columns) for row in self.values
        ):
            raise ValueError("the matrix needs one row per speaker and one value per column")

    def value(self, speaker: str, path: str) -> int:
        """The 0/1 value for a speaker label and a column path; KeyError when either is unknown."""
        row = self.speakers.index(speaker) if speaker in self.speakers else None
        column = next((i for i, c in enumerate(self.columns) if c.path == path), None)
        if row is None or column is None:
            raise KeyError((speaker, path))
        return self.values[row][column]


def code_speaker_matrix(
    project: Project,
    *,
    coders: Collection[str] | None = None,
    include_facilitator: bool = False,
) -> SpeakerMatrix:
    """The code-by-speaker 0/1 matrix for mixed-methods work elsewhere: one row per speaker who
    has a turn in any source (project case order; facilitators left out unless
    ``include_facilitator``), one column per sub-theme and code (codebook order)."""
    beneath = _subtree(project)
    spoke = {turn.speaker for source in project.sources for turn in source.turns}
    cases = [
        case
        for case in project.cases
        if case.guid in spoke and (include_facilitator or not is_facilitator(case))
    ]
    columns = tuple(
        MatrixColumn(code.guid, project.code_level(code.guid), code_path(project, code.guid))
        for code in codebook_order(project)
        if project.code_level(code.guid) is not Level.THEME
    )
    sources = {source.guid: source for source in project.sources}
    said: dict[str, set[str]] = {case.guid: set() for case in cases}  # case -> coded rows
    for coding in _codings(project, coders):
        source = sources.get(coding.source)
        if source is None:
            continue
        for speaker in coding_speakers(source, coding.start, coding.end):
            if speaker in said:
                said[speaker].add(coding.code)
    values = tuple(
        tuple(int(bool(said[case.guid] & beneath[column.guid])) for column in columns)
        for case in cases
    )
    return SpeakerMatrix(tuple(case.name for case in cases), columns, values)


# -- breakdowns by case attributes --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """Supporting speakers of one theme or sub-theme by attribute value.

    ``counts[i]`` is None when hidden by the small-group rule (``suppression`` says why);
    ``total`` is None when the total is hidden too.
    """

    guid: str
    path: str
    counts: tuple[int | None, ...]
    total: int | None
    suppression: Suppression


@dataclass(frozen=True, slots=True)
class AttributeBreakdown:
    """Speakers per theme and sub-theme by one case attribute (e.g. profession), protected."""

    attribute: str
    values: tuple[str, ...]
    rows: tuple[BreakdownRow, ...]
    min_group_size: int

    @property
    def any_hidden(self) -> bool:
        return any(row.suppression.any_hidden for row in self.rows)


def speakers_by_attribute(
    project: Project,
    attribute: str,
    *,
    min_group_size: int = 5,
    coders: Collection[str] | None = None,
) -> AttributeBreakdown:
    """For each theme and sub-theme of :func:`table3`, how many of its supporting speakers have
    each value of case attribute ``attribute`` (any case; blank is "Not recorded", the last
    column). Each row's counts add up to its supporting speakers, a published total, so they go
    through :func:`imheval.suppression.suppress` (decision 0003): a count of 1 to
    ``min_group_size - 1`` reads hidden, and so does any count it could be worked out from.
    Raises ValueError for a ``min_group_size`` below 1.
    """
    key = attribute.strip().casefold()
    cases = {case.guid: case for case in project.cases}
    value_of = {guid: _attribute(case, key) or NOT_RECORDED for guid, case in cases.items()}
    rows = table3(project, coders=coders)
    seen = sorted({value_of[s] for row in rows for s in row.speakers} - {NOT_RECORDED})
    if any(value_of[s] == NOT_RECORDED for row in rows for s in row.speakers):
        seen.append(NOT_RECORDED)
    values = tuple(seen)
    result: list[BreakdownRow] = []
    for row in rows:
        counts = [sum(1 for s in row.speakers if value_of[s] == value) for value in values]
        decided = suppress(counts, min_group_size)
        result.append(
            BreakdownRow(
                guid=row.guid,
                path=row.path,
                counts=tuple(
                    None if hide else count
                    for count, hide in zip(counts, decided.hidden, strict=True)
                ),
                total=None if decided.total_hidden else decided.total,
                suppression=decided,
            )
        )
    return AttributeBreakdown(attribute, values, tuple(result), min_group_size)


# -- the joint display --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkableFinding:
    """A quantitative finding a quote can be linked to: its key (see :func:`finding_key`), its
    plain sentence and its statistics (APA), the domain and kind it came from, and ``topic``:
    what the sentence is about when it does not say (the domain's label, e.g. "Knowledge")."""

    key: str
    sentence: str
    statistic: str
    domain: str = ""
    kind: str = ""
    topic: str = ""


_KEY_PART = re.compile(r"[^A-Za-z0-9_.-]+")


def finding_key(finding: Finding, ordinal: int = 1) -> str:
    """The key a joint display link stores for ``finding`` (``FindingLink.finding``).

    Format: ``DOMAIN/KIND/COMPARISON``, each part as the finding has it (the domain's id, e.g.
    ``knowledge``; ``evaluation`` when the finding is about the whole evaluation; ``-`` for no
    comparison), characters other than letters, digits, ``_``, ``.`` and ``-`` made ``_``; the
    ``ordinal``-th finding with the same three parts in the same domain gets ``/ORDINAL``
    (2, 3, ...). The first such finding has no suffix. E.g. ``knowledge/participant_test/
    pre_post``, ``knowledge/headline/-``, ``confidence/ceiling/-/2``.

    The key is stable while the evaluation says the same kind of thing: the same data and
    settings always give the same keys, and a new upload keeps a link as long as the finding
    of that kind is still written (a link to ``knowledge/participant_test/pre_post`` survives
    new responses; it is orphaned if the domain drops to "too few", and
    :func:`joint_display` then lists it in ``unmatched``). At most 200 characters.
    """
    parts = [finding.domain or "evaluation", finding.kind, finding.comparison or "-"]
    key = "/".join(_KEY_PART.sub("_", part) or "_" for part in parts)
    if ordinal > 1:
        key += f"/{ordinal}"
    return key[:MAX_KEY_LENGTH]


def keyed_findings(
    findings: Iterable[Finding], topics: Mapping[str, str] | None = None
) -> tuple[LinkableFinding, ...]:
    """Each finding with its key (:func:`finding_key`), in the order given; ``topics`` maps a
    domain id to its label (the findings' ``topic``)."""
    counts: dict[str, int] = {}
    keyed: list[LinkableFinding] = []
    for finding in findings:
        base = finding_key(finding)
        counts[base] = counts.get(base, 0) + 1
        keyed.append(
            LinkableFinding(
                key=finding_key(finding, counts[base]),
                sentence=finding.plain,
                statistic=finding.statistics,
                domain=finding.domain,
                kind=finding.kind,
                topic=(topics or {}).get(finding.domain, ""),
            )
        )
    return tuple(keyed)


@dataclass(frozen=True, slots=True)
class JointRow:
    """One row of the joint display: a finding's plain sentence, its statistics, and the quotes
    linked to it in the analyst's order; ``topic`` as :class:`LinkableFinding`'s."""

    key: str
    sentence: str
    statistic: str
    quotes: tuple[Quote, ...]
    topic: str = ""


@dataclass(frozen=True, slots=True)
class JointDisplay:
    """The joint display's rows, and the keys of links whose finding the evaluation no longer
    has (``unmatched``, for the web page to warn about)."""

    rows: tuple[JointRow, ...]
    unmatched: tuple[str, ...] = ()


def joint_display(
    findings: Iterable[Finding | LinkableFinding | tuple[str, str, str]],
    links: Mapping[str, Sequence[str]],
    project: Project,
    *,
    attribution: Attribution = "speaker",
    word_limit: int | None = None,
    min_role_size: int = MIN_ROLE_SIZE,
    include_unlinked: bool = False,
) -> JointDisplay:
    """Each finding with the quotes linked to it: ``findings`` are the evaluation's
    :class:`~imheval.findings.Finding` values (keyed by :func:`keyed_findings`), ready keyed
    :class:`LinkableFinding` values, or ``(key, sentence, statistic)`` tuples; ``links`` maps a
    key to coding GUIDs in the order to show. Rows follow the findings' order; a finding with
    no linked quote is left out unless ``include_unlinked``. A linked coding not in the project
    is skipped.
    """
    keyed = _as_linkable(findings)
    codings = {coding.guid: coding for coding in project.codings}
    rows: list[JointRow] = []
    for item in keyed:
        quotes: list[Quote] = []
        for guid in links.get(item.key, ()):
            coding = codings.get(guid)
            if coding is None:
                continue
            quote = make_quote(
                project,
                coding,
                attribution=attribution,
                word_limit=word_limit,
                min_role_size=min_role_size,
            )
            if quote is not None:
                quotes.append(quote)
        if quotes or include_unlinked:
            rows.append(
                JointRow(item.key, item.sentence, item.statistic, tuple(quotes), item.topic)
            )
    known = {item.key for item in keyed}
    unmatched = tuple(key for key in links if key not in known and links[key])
    return JointDisplay(tuple(rows), unmatched)


def _as_linkable(
    findings: Iterable[Finding | LinkableFinding | tuple[str, str, str]],
) -> tuple[LinkableFinding, ...]:
    items = list(findings)
    plain = [item for item in items if isinstance(item, Finding)]
    keyed = iter(keyed_findings(plain))
    result: list[LinkableFinding] = []
    for item in items:
        if isinstance(item, Finding):
            result.append(next(keyed))
        elif isinstance(item, LinkableFinding):
            result.append(item)
        else:
            key, sentence, statistic = item
            result.append(LinkableFinding(key, sentence, statistic))
    return tuple(result)
