"""Evaluation -> :class:`~imheval.reports.model.Report`: the sections in report order.

:func:`build_report` makes one :class:`~imheval.reports.context.ReportContext` and runs each
builder in :data:`SECTION_BUILDERS`; the builders live in :mod:`imheval.reports.sections`, one
module per section. The sections follow Kirkpatrick's levels, framed by a summary and by methods:

1. Summary: findings in plain English with their APA figures, and which result to trust;
2. Who took part: enrolled -> pre-test -> post-test -> matched -> follow-up, by group;
3. Level 1 reaction; 4. Level 2 learning (per domain: Table 1, tests, breakdowns, charts);
5. Level 3 behaviour (follow-up); 6. Level 4 results;
7. Methods and limitations, written for the data at hand.

Adding a section is one more module under :mod:`imheval.reports.sections` and one more line in
:data:`SECTION_BUILDERS`, or ``build_report(..., builders=...)`` (see :mod:`imheval.reports`).

Privacy: every count or mean of fewer than ``min_group_size`` people is replaced by a note, with
secondary suppression so a hidden value cannot be recovered from a published total; participant
codes never enter the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from imheval._version import __version__
from imheval.evaluation import Evaluation
from imheval.findings.wording import plural
from imheval.qualitative.outputs_section import QualitativeSection
from imheval.reports._gc import cyclic_gc_paused
from imheval.reports.context import DEFAULT_TITLE, ReportContext, SectionBuilder
from imheval.reports.model import Report
from imheval.reports.sections.behaviour import behaviour_section
from imheval.reports.sections.learning import learning_section
from imheval.reports.sections.methods import methods_section
from imheval.reports.sections.participation import participation_section
from imheval.reports.sections.qualitative import with_qualitative
from imheval.reports.sections.reaction import reaction_section
from imheval.reports.sections.results import results_section, with_service_data
from imheval.reports.sections.summary import summary_section, trust_section
from imheval.services.analysis import ServiceSummary


def build_report(
    evaluation: Evaluation,
    *,
    title: str | None = None,
    min_group_size: int | None = None,
    builders: Sequence[SectionBuilder] | None = None,
    qualitative: Sequence[QualitativeSection] = (),
    services: ServiceSummary | None = None,
) -> Report:
    """The report for ``evaluation``: a frozen :class:`Report` every renderer reads.

    ``min_group_size`` defaults to the evaluation's; a smaller value cannot reveal what the
    evaluation already suppressed, so the larger of the two is used. ``builders`` replaces
    :data:`SECTION_BUILDERS` (e.g. to add a section). ``qualitative``: a focus-group section
    per study, before the methods (:mod:`imheval.reports.sections.qualitative`). ``services``:
    level-4 service data shown in the Level 4 section (:mod:`imheval.services`). Raises
    AnalysisError only through the evaluation's own checks; a domain with no matched pair is
    reported as such, not an error.
    """
    if services is not None:  # the summary's "levels measured" counts the service figures
        evaluation = evaluation.measured_also(services.levels())
    size = max(min_group_size or 0, evaluation.options.min_group_size)
    context = ReportContext(evaluation, size)
    with cyclic_gc_paused():  # the charts: see imheval.reports._gc
        built = [builder(context) for builder in (builders or SECTION_BUILDERS)]
    sections = tuple(section for section in built if section is not None)
    people = len(evaluation.matched.people)
    cohorts = len(evaluation.matched.cohorts)
    programmes = _programmes(evaluation)
    subtitle = (
        f"{context.people(people)} in {cohorts:,} cohort{plural(cohorts)}"
        + (f" of {len(programmes)} programme{plural(len(programmes))}" if programmes else "")
        + f"; data: {Path(evaluation.source).name}"
    )
    report = Report(
        title=title or DEFAULT_TITLE,
        subtitle=subtitle,
        generated=evaluation.created,
        sections=sections,
        software=f"imheval {__version__}",
    )
    if services is not None:
        report = with_service_data(report, results_section(context, services))
    return with_qualitative(report, qualitative) if qualitative else report


#: The sections, in report order; add a builder here to add a section.
SECTION_BUILDERS: tuple[SectionBuilder, ...] = (
    summary_section,
    trust_section,
    participation_section,
    reaction_section,
    learning_section,
    behaviour_section,
    results_section,
    methods_section,
)


def _programmes(evaluation: Evaluation) -> list[str]:
    programmes = evaluation.matched.cohorts["programme"].astype(str)
    return sorted({p for p in programmes if p})
