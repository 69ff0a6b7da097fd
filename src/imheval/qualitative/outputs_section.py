"""Everything a report says about one focus-group study, as one frozen value.

:class:`QualitativeSection` holds the method (approach, phase log, reflexivity, the second
review or the agreement figures) and the outputs (Table 3, quotes by sub-theme, the joint
display). :func:`qualitative_section` computes the outputs from a
:class:`~imheval.qualitative.model.Project` and takes the rest as plain values, so the web app
(which reads them from its rows) and a test (which writes them inline) build it the same way.
The report section (:mod:`imheval.reports.sections.qualitative`) only presents it.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from imheval.findings.model import Finding
from imheval.qualitative.model import Project
from imheval.qualitative.outputs import (
    MIN_ROLE_SIZE,
    AttributeBreakdown,
    Attribution,
    JointDisplay,
    LinkableFinding,
    QuoteGroup,
    ThemeRow,
    code_speaker_matrix,
    joint_display,
    quotes_by_subtheme,
    speakers_by_attribute,
    table3,
)


class Approach(StrEnum):
    """How the analysis was checked (the web app's ``Approach`` choices)."""

    REFLEXIVE = "reflexive"
    CODEBOOK = "codebook"


#: Braun and Clarke's six phases, by number.
PHASES: Mapping[int, str] = {
    1: "Familiarising yourself with the data",
    2: "Generating initial codes",
    3: "Searching for themes",
    4: "Reviewing themes",
    5: "Defining and naming themes",
    6: "Producing the report",
}


@dataclass(frozen=True, slots=True)
class PhaseEntry:
    """One line of the phase log: which of the six phases, when, and the analyst's memo."""

    phase: int
    date: datetime.date
    memo: str = ""

    @property
    def name(self) -> str:
        return PHASES.get(self.phase, f"Phase {self.phase}")


@dataclass(frozen=True, slots=True)
class ReviewEntry:
    """A second reviewer's decision on a theme or sub-theme (reflexive analysis).

    ``reviewer`` is the member of staff who reviewed (never a participant); ``decision`` is
    "accept", "comment" or "propose"; ``response`` the analyst's answer and what changed.
    """

    reviewer: str
    theme: str
    decision: str
    comment: str = ""
    response: str = ""


@dataclass(frozen=True, slots=True)
class CodebookChange:
    """A change kept in the codebook's history: a rename, a move or a new definition."""

    kind: str  # "renamed", "moved", "defined"
    before: str
    after: str


@dataclass(frozen=True, slots=True)
class AgreementRow:
    """One code's pooled agreement between coders (codebook analysis); None when undefined,
    ``reason`` then says why. ``percent_agreement`` is a share from 0 to 1."""

    code: str
    units: int
    percent_agreement: float | None
    cohen_kappa: float | None
    krippendorff_alpha: float | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class QualitativeSection:
    """What the report says about one study (see the module docstring).

    ``scope`` names what the study belongs to ("Cohort 2025-A", "North network group");
    ``speakers`` how many speakers took part (facilitators left out); ``agreement_unit`` is
    "character" or "turn"; ``coders`` names the coders whose agreement is given;
    ``reported_coder`` names the one coder whose codings Table 3 and the quotes count ("" for
    everyone's);
    ``breakdown`` is the supporting speakers by a case attribute (small groups hidden).
    """

    study: str
    scope: str
    approach: Approach
    sources: int
    speakers: int
    table3: tuple[ThemeRow, ...]
    quotes: tuple[QuoteGroup, ...]
    joint: JointDisplay
    phases: tuple[PhaseEntry, ...] = ()
    reflexivity: str = ""
    reviews: tuple[ReviewEntry, ...] = ()
    changes: tuple[CodebookChange, ...] = ()
    agreement: tuple[AgreementRow, ...] = ()
    agreement_unit: str = "character"
    coders: tuple[str, ...] = ()
    attribution: Attribution = "speaker"
    breakdown: AttributeBreakdown | None = None
    reported_coder: str = ""


def qualitative_section(
    project: Project,
    *,
    study: str,
    scope: str,
    approach: Approach | str = Approach.REFLEXIVE,
    phases: Iterable[PhaseEntry] = (),
    reflexivity: str = "",
    reviews: Iterable[ReviewEntry] = (),
    changes: Iterable[CodebookChange] = (),
    agreement: Iterable[AgreementRow] = (),
    agreement_unit: str = "character",
    coders: Sequence[str] = (),
    findings: Iterable[Finding | LinkableFinding | tuple[str, str, str]] = (),
    links: Mapping[str, Sequence[str]] | None = None,
    attribution: Attribution = "speaker",
    word_limit: int | None = None,
    min_role_size: int = MIN_ROLE_SIZE,
    counted_coders: Collection[str] | None = None,
    breakdown_by: str = "",
    min_group_size: int = 5,
    reported_coder: str = "",
) -> QualitativeSection:
    """The section's values for ``project``: Table 3 and the quotes by sub-theme
    (:mod:`imheval.qualitative.outputs`, counting ``counted_coders``' codings, or everyone's),
    the joint display of ``findings`` with the quotes ``links`` set beside them, and the
    method as given. Phases are put in order of phase, then date. ``breakdown_by`` names a
    case attribute (e.g. "profession") to break the supporting speakers down by, through the
    small-group rule with ``min_group_size``. Raises ValueError for an unknown approach, a
    word limit below 1 or a minimum group size below 1.
    """
    speakers = code_speaker_matrix(project, coders=counted_coders).speakers
    return QualitativeSection(
        study=study,
        scope=scope,
        approach=Approach(approach),
        sources=len(project.sources),
        speakers=len(speakers),
        table3=table3(project, coders=counted_coders),
        quotes=quotes_by_subtheme(
            project,
            attribution=attribution,
            word_limit=word_limit,
            min_role_size=min_role_size,
            coders=counted_coders,
        ),
        joint=joint_display(
            findings,
            links or {},
            project,
            attribution=attribution,
            word_limit=word_limit,
            min_role_size=min_role_size,
        ),
        phases=tuple(sorted(phases, key=lambda entry: (entry.phase, entry.date))),
        reflexivity=reflexivity.strip(),
        reviews=tuple(reviews),
        changes=tuple(changes),
        agreement=tuple(agreement),
        agreement_unit=agreement_unit,
        coders=tuple(coders),
        attribution=attribution,
        breakdown=speakers_by_attribute(
            project, breakdown_by, min_group_size=min_group_size, coders=counted_coders
        )
        if breakdown_by.strip()
        else None,
        reported_coder=reported_coder,
    )
