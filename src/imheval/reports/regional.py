"""The regional report (issue 16, part 4): coverage by organisation and level against the
region's targets, the gaps, and the outcomes of the same programme delivered by several
organisations side by side with the model that says whether they differ, as one
:class:`Report` for HTML, PDF and Word.

Built from the core's regional values only (:mod:`imheval.workforce.regional`), in which the
small-group rule has already been applied across the region: a hidden figure arrives as None
and is written "hidden" here, never as a number. The regional pages build their tables with the
same functions (:func:`team_table`, :func:`heat_cells`, :func:`outcome_table`), so the page,
its downloads and the report show the same cells.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from imheval._version import __version__
from imheval.findings.wording import plural
from imheval.reports.charts import HeatmapCategory, HeatmapSpec, to_svg
from imheval.reports.coverage import HEATMAP_CATEGORIES, percent_text
from imheval.reports.model import (
    Block,
    Callout,
    Chart,
    Findings,
    Heading,
    Number,
    Paragraph,
    Report,
    Section,
    Table,
)
from imheval.reports.wording import DASH, slug
from imheval.stats.apa import format_p
from imheval.stats.organisations import OrganisationComparison
from imheval.workforce.coverage import FLAG_WORDS, STATUS_WORDS
from imheval.workforce.regional import (
    OrganisationOutcome,
    OutcomeGroup,
    RegionalCoverage,
    RegionalFigure,
    RegionalTeam,
)
from imheval.workforce.regional_places import (
    REGION_TOTAL,
    OrganisationPlaces,
    PlacesGroup,
    financial_year_label,
)

__all__ = [
    "HIDDEN_WORD",
    "REGION_ROW",
    "RegionalFacts",
    "heat_cells",
    "heat_table",
    "left_out_sentences",
    "model_figures",
    "outcome_group_name",
    "outcome_table",
    "places_table",
    "profession_table",
    "regional_report",
    "team_table",
]

#: What a hidden cell says (tables never give a number for it).
HIDDEN_WORD = "hidden"
#: The label of a table's row for the region as a whole.
REGION_ROW = "Region (all shown and hidden)"
HIDDEN_CATEGORY = HeatmapCategory("hidden", "Hidden: a small group", "#FFFFFF", hatch="//")
CATEGORIES: tuple[HeatmapCategory, ...] = (*HEATMAP_CATEGORIES, HIDDEN_CATEGORY)


def _suppressed_note(min_size: int) -> str:
    return (
        f"Hidden: fewer than {min_size} people, or hidden so that a small number cannot be "
        "worked out from the region's total. A hidden organisation's whole row is hidden."
    )


def left_out_sentences(
    other_framework: Sequence[str] | int,
    not_counted: Sequence[str] | int,
) -> tuple[str, ...]:
    """Why sharing organisations are in none of the coverage figures: '1 organisation uses
    another framework and is not counted.', '2 organisations could not be counted: their own
    data have a problem their coverage pages name.' Given names (a regional lead, who sees the
    names of the members they invited), the sentence ends with them; given counts (a viewer,
    the report), it names nobody."""
    sentences = []
    n, names = _count_and_names(other_framework)
    if n:
        sentences.append(
            f"{n} organisation{plural(n)} {'uses' if n == 1 else 'use'} another framework and "
            f"{'is' if n == 1 else 'are'} not counted{names}: the region's targets are levels "
            "of its own framework, so training counted on another framework's levels would show "
            "as none."
        )
    n, names = _count_and_names(not_counted)
    if n:
        sentences.append(
            f"{n} organisation{plural(n)} could not be counted{names}: "
            f"{'its' if n == 1 else 'their'} own data {'has' if n == 1 else 'have'} a problem "
            f"{'its' if n == 1 else 'their'} own coverage page{plural(n)} "
            f"{'names' if n == 1 else 'name'}. The other organisations are counted as usual."
        )
    return tuple(sentences)


def _count_and_names(found: Sequence[str] | int) -> tuple[int, str]:
    if isinstance(found, int):
        return found, ""
    return len(found), f" ({', '.join(found)})" if found else ""


@dataclass(frozen=True, slots=True)
class RegionalFacts:
    """What the report says about the region itself: its name, how many member organisations
    share (and are included) and how many do not (never named), and how many sharing ones are
    left out of coverage (never named either: any role reads the report) because they use
    another framework or their data could not be counted."""

    name: str
    sharing: int
    not_sharing: int
    other_framework: int = 0
    not_counted: int = 0

    def not_sharing_sentence(self) -> str:
        """'2 invited organisations do not share and are not included.' ('' when none)."""
        n = self.not_sharing
        if not n:
            return ""
        return (
            f"{n} invited organisation{plural(n)} {'does' if n == 1 else 'do'} not share and "
            f"{'is' if n == 1 else 'are'} not included."
        )


# ------------------------------------------------------------------------------ coverage cells


def _status_words(figure: RegionalFigure) -> str:
    return STATUS_WORDS[figure.status] if figure.status is not None else ""


def heat_cells(team: RegionalTeam) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The team's heat map: a row per organisation then the region's, a column per level; each
    cell's (text, category): '62.5%\\non trajectory', 'hidden', 'over headcount:\\ncheck the
    data', or '' with 'none' where the organisation has no row."""
    rows = [tuple(_heat_cell(cell) for cell in cells) for cells in team.cells]
    rows.append(tuple(_heat_cell(total) for total in team.totals))
    return tuple(rows)


def _heat_cell(figure: RegionalFigure | None) -> tuple[str, str]:
    if figure is None:
        return "", "none"
    if figure.hidden:
        return HIDDEN_WORD, HIDDEN_CATEGORY.key
    if figure.percent is None or figure.status is None:
        words = "; ".join(FLAG_WORDS[flag] for flag in figure.flags) or "check the data"
        return f"{words}", "check"
    return f"{percent_text(figure.percent)}\n{_status_words(figure)}", figure.status.value


def _status_cell(figure: RegionalFigure) -> str:
    if figure.hidden:
        return HIDDEN_WORD
    if figure.status is None or figure.flags:
        return "check the data"
    return _status_words(figure)


def _count(value: int | None) -> str:
    return Number(HIDDEN_WORD if value is None else f"{value:,}")


def _share(figure: RegionalFigure) -> str:
    if figure.hidden:
        return Number(HIDDEN_WORD)
    if figure.percent is None:
        return "check the data" if figure.flags else DASH
    return Number(percent_text(figure.percent))


def _target(team: RegionalTeam, index: int) -> str:
    target, by_date = team.targets[index]
    whole = float(target)
    text = f"{int(whole)}" if whole.is_integer() else f"{whole:g}"
    return f"{text}% by {long_date(by_date)}"


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def team_name(team: RegionalTeam) -> str:
    return f"{team.service}, {team.profession}"


TEAM_HEADER = (
    "Organisation",
    "Level",
    "Headcount",
    "Trained",
    "Share trained",
    "Gap (people)",
    "Status",
)


def team_table(team: RegionalTeam, min_size: int) -> Table:
    """Every organisation's figures for one team at each level, then the region's; a hidden
    row says 'hidden' in every figure."""
    rows: list[tuple[str, ...]] = []
    labels = (*team.organisations, REGION_ROW)
    grid = (*team.cells, team.totals)
    for label, cells in zip(labels, grid, strict=True):
        for level, figure in zip(team.levels, cells, strict=True):
            if figure is None:
                continue
            rows.append(
                (
                    label,
                    level,
                    _count(figure.headcount),
                    _count(figure.trained),
                    _share(figure),
                    _count(figure.gap_people),
                    HIDDEN_WORD
                    if figure.hidden
                    else (
                        "check the data"
                        if figure.status is None or figure.flags
                        else _status_words(figure)
                    ),
                )
            )
    notes = [f"Target at {level}: {_target(team, j)}." for j, level in enumerate(team.levels)]
    left_out = [
        name for name, inside in zip(team.organisations, team.in_totals, strict=True) if not inside
    ]
    if left_out:
        notes.append(
            f"Left out of the region's totals because their figures need checking: "
            f"{', '.join(left_out)}."
        )
    hidden = team.hidden_organisations or any(t.hidden for t in team.totals)
    return Table(
        caption=f"Coverage by organisation and level: {team_name(team)}",
        header=TEAM_HEADER,
        rows=tuple(rows),
        notes=tuple(notes),
        suppressed_note=_suppressed_note(min_size) if hidden else None,
    )


def heat_table(team: RegionalTeam, min_size: int) -> Table:
    """The heat map as a table, for screen readers and Word, with each cell's people: a row
    per organisation then the region, its headcount, and per level '30% (12 trained), on
    trajectory' or 'hidden'."""
    rows: list[tuple[str, ...]] = []
    labels = (*team.organisations, REGION_ROW)
    for label, cells in zip(labels, (*team.cells, team.totals), strict=True):
        headcount = next((c.headcount for c in cells if c is not None), None)
        texts: list[str] = []
        for figure in cells:
            if figure is None:
                texts.append(DASH)
            elif figure.hidden:
                texts.append(HIDDEN_WORD)
            elif figure.percent is None or figure.status is None:
                texts.append(f"{figure.trained} trained: check the data")
            else:
                texts.append(
                    f"{percent_text(figure.percent)} ({figure.trained:,} trained), "
                    f"{_status_words(figure)}"
                )
        rows.append((label, _count(headcount), *texts))
    hidden = team.hidden_organisations or any(t.hidden for t in team.totals)
    notes = [f"Target at {level}: {_target(team, j)}." for j, level in enumerate(team.levels)]
    return Table(
        caption=f"Share of staff trained by organisation and level: {team_name(team)}",
        header=("Organisation", "Headcount", *team.levels),
        rows=tuple(rows),
        notes=tuple(notes),
        suppressed_note=_suppressed_note(min_size) if hidden else None,
    )


def heat_spec(team: RegionalTeam) -> HeatmapSpec:
    return HeatmapSpec(
        title=f"Coverage heat map: {team_name(team)}",
        rows=(*team.organisations, "Region"),
        columns=team.levels,
        cells=heat_cells(team),
        categories=CATEGORIES,
    )


def heat_alt(team: RegionalTeam) -> str:
    cells = heat_cells(team)
    parts = []
    for label, row in zip((*team.organisations, "the region"), cells, strict=True):
        for level, (text, _) in zip(team.levels, row, strict=True):
            if text:
                parts.append(f"{label} at {level}: {text.replace(chr(10), ', ')}")
    return f"Heat map of coverage of {team_name(team)} by organisation and level. " + "; ".join(
        parts
    )


# ------------------------------------------------------------------------------ outcomes


OUTCOME_HEADER = (
    "Organisation",
    "Cohorts",
    "Matched people",
    "Mean change",
    "95% CI",
    "Effect (d_z)",
)


def _number(value: float | None, places: int = 1) -> str:
    return Number(DASH if value is None else f"{value:+.{places}f}")


def _outcome_row(row: OrganisationOutcome) -> tuple[str, ...]:
    if row.hidden:
        return (row.organisation, Number(str(row.cohorts)), *([Number(HIDDEN_WORD)] * 4))
    ci = DASH if row.ci is None else f"{row.ci.low:.1f} to {row.ci.high:.1f}"
    effect = DASH if row.effect_dz is None else f"{row.effect_dz:.2f}"
    return (
        row.organisation,
        Number(str(row.cohorts)),
        Number(f"{row.matched:,}"),
        _number(row.mean_gain),
        Number(ci),
        Number(effect),
    )


def outcome_group_name(group: OutcomeGroup) -> str:
    """'Solihull Approach (Skilled), measured with IMH core': the programme, its level and the
    measure its cohorts were measured with (without ', measured with' when they name none)."""
    name = f"{group.programme} ({group.level})"
    return f"{name}, measured with {group.measure}" if group.measure else name


def outcome_table(group: OutcomeGroup) -> Table:
    """Each organisation's matched people, mean change (percentage points of the measure's
    maximum) with its 95% CI, and Cohen's d_z; then the region's."""
    rows = [_outcome_row(row) for row in group.organisations]
    rows.append(_outcome_row(group.total))
    return Table(
        caption=f"{outcome_group_name(group)}: change by organisation",
        header=OUTCOME_HEADER,
        rows=tuple(rows),
        notes=(
            "Change: after minus before, in percentage points of the measure's maximum, over "
            "the people who answered both. Effect: Cohen's d_z (mean change / SD of change).",
        ),
        suppressed_note=_suppressed_note(group.min_size) if group.any_hidden else None,
    )


def _share_of(value: float | None) -> str:
    return DASH if value is None else f"{100 * value:.0f}%"


def model_figures(comparison: OrganisationComparison) -> tuple[tuple[str, str], ...]:
    """The model's figures in words a board can read: (label, value) pairs; none when it was
    not fitted (its plain sentence says why)."""
    if comparison.reason is not None:
        return ()
    total = sum(
        v or 0.0
        for v in (
            comparison.variance_organisation,
            comparison.variance_cohort,
            comparison.variance_residual,
        )
    )

    def share(value: float | None) -> str:
        return DASH if value is None or not total else f"{100 * value / total:.0f}%"

    ci = comparison.ci
    mean = DASH if comparison.mean_gain is None else f"{comparison.mean_gain:+.1f}"
    if ci is not None:
        mean += f" (95% CI {ci.low:.1f} to {ci.high:.1f})"
    return (
        ("Mean change (model)", mean),
        ("Between organisations", share(comparison.variance_organisation)),
        ("Between cohorts", share(comparison.variance_cohort)),
        ("Between people", share(comparison.variance_residual)),
        ("Do organisations differ?", format_p(comparison.p_value)),
        (
            "Fitted on",
            f"{comparison.people:,} people in {comparison.cohorts} cohorts of "
            f"{comparison.organisations} organisation{plural(comparison.organisations)}",
        ),
        ("Method", comparison.method),
    )


# ------------------------------------------------------------------------------ places


PLACES_HEADER = ("Organisation", "Places funded", "Places offered", "Places taken", "Completed")


def _given(value: int | None) -> str:
    """Places funded or offered: never hidden (they are not people); 'not given' when none."""
    return Number("not given" if value is None else f"{value:,}")


def _places_row(row: OrganisationPlaces) -> tuple[str, ...]:
    label = REGION_ROW if row.organisation == REGION_TOTAL else row.organisation
    return (
        label,
        _given(row.funded),
        _given(row.offered),
        _count(row.taken),
        _count(row.completed),
    )


def group_name(group: PlacesGroup) -> str:
    """'Solihull Approach (Skilled)', or the name alone for a programme with no level."""
    return f"{group.programme} ({group.level})" if group.level else group.programme


def places_table(group: PlacesGroup) -> Table:
    """Each organisation's places on a programme in a year, then the region's: funded and
    offered as recorded (never hidden: not people), taken and completed ('hidden' for a
    small group)."""
    return Table(
        caption=f"{group_name(group)}, {group.year_label}: places by organisation",
        header=PLACES_HEADER,
        rows=(*(_places_row(row) for row in group.organisations), _places_row(group.total)),
        notes=(
            "Funded and offered: as each organisation recorded them (with no record, its usual "
            "places per year as funded). Taken: people on the registers of cohorts starting in "
            "the year; completed: those of them who completed.",
        ),
        suppressed_note=_places_note(group.min_size) if group.any_hidden else None,
    )


def _places_note(min_size: int) -> str:
    return (
        f"Hidden: fewer than {min_size} people, or hidden so that a small number cannot be "
        "worked out from the region's total. Places funded and offered are never hidden: they "
        "are not people."
    )


def profession_table(group: PlacesGroup) -> Table | None:
    """The region's places on a programme in a year by profession (None when nobody took a
    place, or the breakdown is withheld: :attr:`PlacesGroup.professions_hidden`)."""
    if not group.professions:
        return None
    return Table(
        caption=f"{group_name(group)}, {group.year_label}: places by profession, whole region",
        header=("Profession", "Places taken", "Completed"),
        rows=tuple(
            (row.profession, _count(row.taken), _count(row.completed)) for row in group.professions
        ),
        suppressed_note=_places_note(group.min_size) if group.any_hidden else None,
    )


def withheld_sentence(group: PlacesGroup) -> str:
    """Why a group's places by profession are not shown ('' when they are, or there are none)."""
    if not group.professions_hidden:
        return ""
    return (
        "Places by profession are not shown: with so few people they would give away a hidden "
        "figure."
    )


def _places_section(groups: Sequence[PlacesGroup], year: int | None) -> Section:
    which = f" in {financial_year_label(year)}" if year is not None else ""
    if not groups:
        return Section(
            "places",
            f"Places{which}",
            None,
            (Paragraph(f"No sharing organisation has places recorded or taken{which}."),),
        )
    blocks: list[Block] = [
        Paragraph(
            "For each programme (the same programme across organisations: the same name, "
            "ignoring case and spacing, and the same level) and financial year, April to "
            f"March{which}: the places each organisation funded and offered, and how many "
            "were taken and completed, then the region's total and who took them by profession."
        )
    ]
    for group in groups:
        blocks.append(Heading(f"{group_name(group)}, {group.year_label}"))
        blocks.append(places_table(group))
        by_profession = profession_table(group)
        if by_profession is not None:
            blocks.append(by_profession)
        elif group.professions_hidden:
            blocks.append(Paragraph(withheld_sentence(group)))
    return Section("places", f"Places{which}", None, tuple(blocks))


# ------------------------------------------------------------------------------ report


def regional_report(
    facts: RegionalFacts,
    coverage: RegionalCoverage | None,
    groups: Sequence[OutcomeGroup],
    *,
    coverage_problem: str | None = None,
    generated: str | None = None,
    places: Sequence[PlacesGroup] | None = None,
    places_year: int | None = None,
) -> Report:
    """The region's report: a summary, coverage by organisation and level per team (heat map
    and table), the gaps, the places (when ``places`` is given: the groups of ``places_year``,
    or of every year when it is None), the outcomes per programme with the model, and how it is
    counted. ``coverage`` None: ``coverage_problem`` says why in its place."""
    sections = [
        _summary(facts, coverage, groups, coverage_problem),
        _coverage_section(coverage, coverage_problem),
        *([_places_section(places, places_year)] if places is not None else []),
        _outcomes_section(groups),
        _method_section(coverage),
    ]
    day = f"coverage on {long_date(coverage.as_of)}; " if coverage else ""
    return Report(
        title=f"Regional view: {facts.name}",
        subtitle=f"{facts.sharing} organisation{plural(facts.sharing)} sharing; {day}"
        "aggregates only, small groups hidden",
        generated=generated or datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sections=tuple(sections),
        software=f"imheval {__version__}",
        generated_label="Made",
    )


def _summary(
    facts: RegionalFacts,
    coverage: RegionalCoverage | None,
    groups: Sequence[OutcomeGroup],
    problem: str | None,
) -> Section:
    blocks: list[Block] = [
        Paragraph(
            f"{facts.sharing} organisation{plural(facts.sharing)} "
            f"share{'s' if facts.sharing == 1 else ''} with {facts.name}. "
            + facts.not_sharing_sentence()
        )
    ]
    for sentence in left_out_sentences(facts.other_framework, facts.not_counted):
        blocks.append(Callout("info", sentence))
    if coverage is None:
        blocks.append(Callout("info", problem or "Coverage could not be counted."))
    else:
        items = []
        for level in coverage.levels:
            if not level.teams:
                items.append((f"{level.level}: every team's total is hidden (a small group).", ""))
                continue
            share = percent_text(level.percent) if level.percent is not None else DASH
            hidden = (
                f"; {level.teams_hidden} team{plural(level.teams_hidden)} hidden"
                if level.teams_hidden
                else ""
            )
            items.append(
                (
                    f"{level.level}: {level.trained:,} of the {level.headcount:,} staff the "
                    f"regional targets name are trained ({share}).",
                    f"{level.teams} team{plural(level.teams)}: {level.met} met, "
                    f"{level.on_trajectory} on trajectory, {level.behind} behind{hidden}",
                )
            )
        if items:
            blocks.append(Findings(tuple(items)))
    for group in groups:
        comparison = group.comparison
        if comparison is not None:
            blocks.append(Paragraph(f"{outcome_group_name(group)}: {comparison.plain_sentence()}"))
    return Section("summary", "Summary", None, tuple(blocks))


def _coverage_section(coverage: RegionalCoverage | None, problem: str | None) -> Section:
    if coverage is None:
        return Section(
            "coverage",
            "Coverage by organisation",
            None,
            (Paragraph(problem or "Coverage could not be counted."),),
        )
    blocks: list[Block] = [
        Paragraph(
            "Each cell is the share of an organisation's staff in a team trained to a level or "
            "higher, against the regional target: met, on trajectory (before the target's date) "
            "or behind. Each cell says its status in words; the colours only repeat it."
        )
    ]
    for team in coverage.teams:
        blocks.append(Heading(team_name(team)))
        spec = heat_spec(team)
        chart_id = f"regional-{slug(team_name(team))}"
        alt = heat_alt(team)
        blocks.append(
            Chart(
                id=chart_id,
                title=spec.title,
                alt_text=alt,
                svg=to_svg(spec, chart_id, alt),
                spec=spec,
                caption="Rows: organisations, then the region; columns: framework levels.",
            )
        )
        blocks.append(heat_table(team, coverage.min_size))
    if coverage.gaps:
        blocks.append(Heading("The gaps across the region"))
        blocks.append(gaps_table(coverage))
    for note in coverage.notes:
        blocks.append(Callout("info", note))
    return Section("coverage", "Coverage by organisation", None, tuple(blocks))


def gaps_table(coverage: RegionalCoverage) -> Table:
    """Every team and level with a regional gap, largest first."""
    return Table(
        caption="People still to train to reach the regional targets",
        header=("Team", "Level", "Headcount", "Trained", "Gap (people)", "Status"),
        rows=tuple(
            (
                f"{gap.service}, {gap.profession}",
                gap.level,
                Number(f"{gap.headcount:,}"),
                Number(f"{gap.trained:,}"),
                Number(f"{gap.gap_people:,}"),
                STATUS_WORDS[gap.status],
            )
            for gap in coverage.gaps
        ),
        notes=(
            "The region's gap is the target share of all the included organisations' staff, "
            "rounded up, less those trained: an organisation above its target makes up for one "
            "below it. Teams whose regional total is hidden are not listed.",
        ),
    )


def _outcomes_section(groups: Sequence[OutcomeGroup]) -> Section:
    if not groups:
        return Section(
            "outcomes",
            "Outcomes side by side",
            None,
            (Paragraph("No sharing organisation has a cohort with matched people yet."),),
        )
    blocks: list[Block] = []
    for group in groups:
        blocks.append(Heading(outcome_group_name(group)))
        blocks.append(outcome_table(group))
        figures = model_figures(group.comparison) if group.comparison is not None else ()
        if group.comparison is not None:
            blocks.append(Paragraph(group.comparison.plain_sentence()))
        if group.comparison is not None and figures:
            blocks.append(
                Table(
                    caption=f"{outcome_group_name(group)}: do organisations differ?",
                    header=("Figure", "Value"),
                    rows=figures,
                )
            )
        for note in group.notes:
            blocks.append(Callout("info", note))
        if group.comparison is not None:
            for note in group.comparison.notes:
                blocks.append(Callout("info", note))
    return Section("outcomes", "Outcomes side by side", None, tuple(blocks))


def _method_section(coverage: RegionalCoverage | None) -> Section:
    size = coverage.min_size if coverage else 5
    return Section(
        "method",
        "How the regional view is counted",
        None,
        (
            Paragraph(
                "Coverage counts distinct people trained to a level or higher (levels are "
                "cumulative), each once, in the team of their latest training record, against "
                "the region's targets. The region's figures add up the organisations that share; "
                "an organisation that does not share is in none of them, nor is one that uses "
                "another framework or whose data could not be counted (the summary says how "
                "many)."
            ),
            Paragraph(
                f"Small groups: any count of fewer than {size} people is hidden, with its share, "
                "gap and status; another is hidden too when a hidden number could otherwise be "
                "worked out from the region's total. An organisation's team is hidden whole, at "
                "every level. A team whose figures need checking is left out of the totals."
            ),
            Paragraph(
                "Places: funded and offered are what each organisation recorded, and are not "
                "hidden (they are not people); places taken and completed count people on the "
                "cohorts' registers and follow the small-group rule like coverage, an "
                "organisation's row hidden whole."
            ),
            Paragraph(
                "Outcomes: programmes of different organisations are the same programme when "
                "their names match (ignoring case and spacing) and they give the same framework "
                "level; their cohorts are set side by side only when measured with the same "
                "measure (a change on one questionnaire is not on the scale of another). Each "
                "organisation's change pools its cohorts' stored summaries; an "
                "organisation hidden as a small group is left out of the model. The model "
                "(people within cohorts within organisations) says whether organisations differ "
                "more than chance would explain."
            ),
        ),
    )
