"""The workforce coverage report (issue 16): a board's first page, the heat map, a table per
organisation, and how coverage is counted, as one :class:`Report` for HTML, PDF and Word.

Built from a :class:`~imheval.workforce.coverage.CoverageResult` only, so the CLI
(``imheval coverage ... --report coverage.docx``), the web app and any other caller get the same
report, rendered by :func:`imheval.reports.write_report`.

Every figure of a requirement row is shown, small teams included: a row is a team's compliance
with a training requirement, counted from staff training records the organisation keeps by name,
not anyone's answers to an anonymous questionnaire, so decision 0003's small-group rule does
not hide it (docs/coverage.md, "The coverage report", says why; hiding the count alone would
protect nothing, since the share and the headcount give it back).

A share trained is rounded *down* to one decimal place, so a team never reads as having reached
a target it has not (89.96% is "89.9%", not "90%"). A row with more people trained than its
headcount has no share (the core leaves it None): the report says "over headcount: check the
data" and never shows more than 100%.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence

from imheval._version import __version__
from imheval.errors import AnalysisError
from imheval.findings.wording import join_and, plural
from imheval.reports.charts import (
    HEATMAP_LABEL_CHARACTERS,
    HeatmapCategory,
    HeatmapSpec,
    to_svg,
)
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
from imheval.workforce.coverage import (
    FLAG_WORDS,
    STATUS_WORDS,
    BirthsCheck,
    CoverageResult,
    CoverageRow,
    Flag,
    LevelNeed,
    Status,
)
from imheval.workforce.ladder import level_key

#: The report's title unless the caller gives one.
DEFAULT_TITLE = "Workforce coverage"

#: How many of the largest gaps the first page names.
BIGGEST_GAPS = 5

#: Heat map cells: a colour-blind safe palette (Okabe and Ito's blue, yellow and vermilion),
#: each with the status written in the cell too, so colour is never the only cue.
CHECK = "check"
NONE = "none"
HEATMAP_CATEGORIES: tuple[HeatmapCategory, ...] = (
    HeatmapCategory(Status.MET.value, "Target met", "#0072B2", "#FFFFFF"),
    HeatmapCategory(Status.ON_TRAJECTORY.value, "On trajectory", "#F0E442"),
    HeatmapCategory(Status.BEHIND.value, "Behind", "#D55E00"),
    HeatmapCategory(CHECK, "Check the data", "#FFFFFF", hatch=".."),
    HeatmapCategory(NONE, "No requirement at this level", "#E8EDEE"),
)

OVER_HEADCOUNT = "over headcount: check the data"


def coverage_report(
    result: CoverageResult,
    *,
    title: str = DEFAULT_TITLE,
    organisation: str | None = None,
    generated: str | None = None,
) -> Report:
    """The coverage report for ``result``: a summary a board member can read, the heat map
    (chart and table) per organisation, every row's figures per organisation, and the rules.

    ``organisation`` limits the report to one organisation of the result (matched as the core
    matches names: ignoring case and repeated spaces). ``generated`` is the ISO time the report
    says it was made (default: now). Raises AnalysisError when the result has no rows, or
    ``organisation`` has none.
    """
    organisations = result.organisations
    if organisation is not None:
        chosen = [name for name in organisations if level_key(name) == level_key(organisation)]
        if not chosen:
            known = join_and([f"'{name}'" for name in organisations]) or "none"
            raise AnalysisError(
                f"the coverage result has no row for the organisation '{organisation}' "
                f"(it has {known})"
            )
        organisations = (chosen[0],)
    rows = tuple(row for row in result.rows if row.organisation in organisations)
    if not rows:
        raise AnalysisError(
            "the coverage result has no rows: no requirement matched a service and profession "
            "of the establishment, so there is nothing to report"
        )
    sections = [
        _summary(result, organisations, rows),
        _heat_maps(result, organisations, rows),
        *(_organisation_section(result, name, rows) for name in organisations),
        _method(result),
    ]
    place = organisations[0] if len(organisations) == 1 else f"{len(organisations)} organisations"
    return Report(
        title=title,
        subtitle=(
            f"{place}; coverage on {long_date(result.as_of)}; framework: {result.ladder.describe()}"
        ),
        generated=generated or datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sections=tuple(sections),
        software=f"imheval {__version__}",
        generated_label="Made",
    )


# ------------------------------------------------------------------------------ wording


def long_date(day: datetime.date) -> str:
    """'31 March 2027' (no leading zero)."""
    return f"{day.day} {day:%B %Y}"


def percent_text(percent: float) -> str:
    """A share trained, rounded down to one decimal place: 89.96 -> '89.9%', 90.0 -> '90%'."""
    tenths = math.floor(percent * 10 + 1e-9)
    whole, tenth = divmod(tenths, 10)
    return f"{whole}%" if tenth == 0 else f"{whole}.{tenth}%"


def target_text(row: CoverageRow, *, short: bool = False) -> str:
    """'90% by 31 March 2027' ('90% by 31 Mar 2027' when ``short``, for a table)."""
    target = format(row.target_percent.normalize(), "f")
    day = row.by_date
    return f"{target}% by " + (f"{day.day} {day:%b %Y}" if short else long_date(day))


def share_cell(row: CoverageRow, *, short: bool = False) -> str:
    """The share trained as a cell says it: '87.5%', or why there is none ('over headcount'
    alone when ``short``, beside a status that says to check the data)."""
    if Flag.TRAINED_EXCEEDS_HEADCOUNT in row.flags:
        return "over headcount" if short else OVER_HEADCOUNT
    if row.percent is None:
        return "no staff (headcount 0)"
    return percent_text(row.percent)


def flags_text(row: CoverageRow) -> str:
    """The row's flags in words ('' when it has none)."""
    return "; ".join(FLAG_WORDS[flag] for flag in row.flags)


def _checked(row: CoverageRow) -> bool:
    """True when the row's share cannot be shown (more trained than headcount, or none)."""
    return row.percent is None


def _post(row: CoverageRow) -> str:
    """'Health visiting, Health visitor' (the team: service, then profession)."""
    return _team(row.service, row.profession)


def _team(service: str, profession: str) -> str:
    return f"{service}, {profession}"


def _people(n: int) -> str:
    return f"{n:,} {'person' if n == 1 else 'people'}"


# ------------------------------------------------------------------------------ summary


def _levels_in(result: CoverageResult, rows: Sequence[CoverageRow]) -> tuple[str, ...]:
    """The ladder's levels that some row requires, lowest first."""
    present = {row.level for row in rows}
    return tuple(level for level in result.ladder.levels if level in present)


def _status_counts(rows: Sequence[CoverageRow]) -> str:
    """'5 targets: 3 met, 1 on trajectory, 1 behind' (a status no row has is left out)."""
    counts = [
        (sum(1 for row in rows if row.status is status), STATUS_WORDS[status])
        for status in (Status.MET, Status.ON_TRAJECTORY, Status.BEHIND)
    ]
    parts = ", ".join(f"{n} {words}" for n, words in counts if n)
    return f"{len(rows)} target{plural(len(rows))}" + (f": {parts}" if parts else "")


def _summary(
    result: CoverageResult, organisations: Sequence[str], rows: Sequence[CoverageRow]
) -> Section:
    blocks: list[Block] = [
        Paragraph(
            f"This report compares the staff trained in infant mental health with the staff "
            f"who should be, on {long_date(result.as_of)}. Each team (a service and profession) "
            f"is asked to have a share of its staff trained to a level of the "
            f"{result.ladder.name} framework by a date. A person counts once, at the highest "
            f"level they have completed, and also towards every lower level."
        )
    ]
    for name in organisations:
        own = [row for row in rows if row.organisation == name]
        if len(organisations) > 1:
            blocks.append(Heading(name))
        blocks.extend(_organisation_summary(result, name, own))
    problems = [row for row in rows if _checked(row)]
    if problems:
        blocks.append(
            Callout(
                "warning",
                f"{len(problems)} team{plural(len(problems))} could not be measured and "
                f"{'is' if len(problems) == 1 else 'are'} left out of the totals above: "
                + "; ".join(
                    f"{_post(row)} at {row.level} ({row.organisation}): {flags_text(row)}"
                    for row in problems
                )
                + ".",
            )
        )
    for note in result.notes:
        blocks.append(Callout("info", note))
    return Section("summary", "Summary for the board", None, tuple(blocks))


def _organisation_summary(
    result: CoverageResult, organisation: str, rows: Sequence[CoverageRow]
) -> list[Block]:
    counted = [row for row in rows if not _checked(row)]
    needs = {need.level: need for need in result.needs if need.organisation == organisation}
    items: list[tuple[str, str]] = []
    for level in _levels_in(result, counted):
        at_level = [row for row in counted if row.level == level]
        headcount = sum(row.headcount for row in at_level)
        trained = sum(row.trained for row in at_level)
        gap = sum(row.gap_people for row in at_level)
        figures = [f"{percent_text(100 * trained / headcount)} trained" if headcount else ""]
        if gap:
            figures.append(f"{_people(gap)} still to train")
            need = needs.get(level)
            if need is not None and need.cohorts_to_close_gap:
                figures.append(
                    f"{need.cohorts_to_close_gap} cohort{plural(need.cohorts_to_close_gap)} "
                    f"of {need.cohort_size}"
                )
        items.append(
            (
                f"{level}: {trained:,} of the {headcount:,} staff who need this level are "
                f"trained ({_status_counts(at_level)}).",
                "; ".join(part for part in figures if part),
            )
        )
    blocks: list[Block] = []
    if items:
        blocks.append(Findings(tuple(items)))
    # Largest first; equal gaps keep the rows' order (sorted is stable).
    gaps = sorted((row for row in counted if row.gap_people), key=lambda row: -row.gap_people)
    gaps = gaps[:BIGGEST_GAPS]
    if gaps:
        blocks.append(Heading("The biggest gaps", level=2))
        blocks.append(
            Findings(
                tuple(
                    (
                        f"{_post(row)}: {row.gap_people:,} more "
                        f"{'person' if row.gap_people == 1 else 'people'} to train to "
                        f"{row.level} to reach the target of {target_text(row)}.",
                        f"{row.trained:,} of {row.headcount:,} trained "
                        f"({share_cell(row)}); {STATUS_WORDS[row.status]}"
                        + _cohorts_for(row, needs.get(row.level)),
                    )
                    for row in gaps
                )
            )
        )
    elif counted:
        blocks.append(Paragraph("Every target is met: no team has a gap."))
    own_needs = [need for need in result.needs if need.organisation == organisation]
    if any(need.gap_people or need.leavers_per_year for need in own_needs):
        blocks.append(_needs_table(organisation, own_needs))
    for check in result.births:
        if check.organisation == organisation:
            blocks.append(Paragraph(_births_text(check)))
    return blocks


def _cohorts_for(row: CoverageRow, need: LevelNeed | None) -> str:
    """'; about 2 cohorts of 12' for one row's gap alone ('' without a cohort size)."""
    if need is None or not row.gap_people:
        return ""
    cohorts = math.ceil(row.gap_people / need.cohort_size)
    return f"; {cohorts} cohort{plural(cohorts)} of {need.cohort_size} for this team alone"


def _needs_table(organisation: str, needs: Sequence[LevelNeed]) -> Table:
    turnover = any(need.turnover for need in needs)
    header: tuple[str, ...] = ("Level", "People still to train", "Cohorts to close the gap")
    if turnover:
        header += ("Trained leavers a year", "Cohorts a year to hold the target")
    rows = []
    for need in needs:
        cells: tuple[str, ...] = (
            need.level,
            Number(f"{need.gap_people:,}"),
            Number(str(need.cohorts_to_close_gap)),
        )
        if turnover:
            cells += (Number(str(need.leavers_per_year)), Number(str(need.cohorts_per_year)))
        rows.append(cells)
    size = needs[0].cohort_size
    notes = [
        f"A cohort is {size} people; a cohort may mix services and professions, so the gaps of "
        "every team at a level are added before dividing."
    ]
    if turnover:
        share = format((needs[0].turnover * 100).normalize(), "f")
        notes.append(
            f"With {share}% of staff leaving each year, trained leavers must be replaced to hold "
            "each target once it is reached."
        )
    return Table(
        caption=f"What closing the gaps takes: {organisation}",
        header=header,
        rows=tuple(rows),
        notes=tuple(notes),
    )


def _births_text(check: BirthsCheck) -> str:
    births = f"{check.births_per_year:,} births a year"
    services = join_and(list(check.specialist_services))
    held = f"{_people(check.specialist_people)} trained to {check.specialist_level} " + (
        f"in {services}" if services else "in no service"
    )
    if not check.rule_applies:
        return (
            f"{check.organisation} has {births}, so the rule of thumb for boards of more than "
            f"3,000 births (specialist practitioners in several services) does not apply; it "
            f"has {held}."
        )
    verdict = "meets the rule" if check.meets_rule else "does not yet meet the rule"
    return (
        f"{check.organisation} has {births}: boards of more than 3,000 births are expected to "
        f"have specialist practitioners in several services. It has {held}, so it {verdict}."
    )


# ------------------------------------------------------------------------------ heat map


def _heat_maps(
    result: CoverageResult, organisations: Sequence[str], rows: Sequence[CoverageRow]
) -> Section:
    levels = _levels_in(result, rows)
    blocks: list[Block] = [
        Paragraph(
            "Each cell is the share of a team's staff trained to a level (or higher), against "
            "the target set for that team at that level: met, on trajectory (below the target, "
            "but at or above the interim point due by now, or before any point is due) or "
            "behind. Each cell says its status in words; the colours only repeat it. A cell "
            "with more people trained than staff in post shows no share: the data need checking."
        )
    ]
    for name in organisations:
        own = [row for row in rows if row.organisation == name]
        if len(organisations) > 1:
            blocks.append(Heading(name))
        spec = heatmap_spec(own, levels, title=f"Coverage heat map: {name}")
        chart_id = f"coverage-{slug(name)}"
        alt = heatmap_alt_text(own, name)
        blocks.append(
            Chart(
                id=chart_id,
                title=spec.title,
                alt_text=alt,
                svg=to_svg(spec, chart_id, alt),
                spec=spec,
                caption="Rows: teams (service, profession); columns: framework levels.",
            )
        )
        blocks.append(heatmap_table(own, levels, name))
    return Section("heat-map", "Coverage heat map", None, tuple(blocks))


def _teams(rows: Sequence[CoverageRow]) -> list[tuple[str, str]]:
    """The (service, profession) pairs of ``rows``, in order of first appearance."""
    return list(dict.fromkeys((row.service, row.profession) for row in rows))


def _cell(row: CoverageRow | None) -> tuple[str, str]:
    """A heat map cell's (text, category)."""
    if row is None:
        return "", NONE
    if Flag.TRAINED_EXCEEDS_HEADCOUNT in row.flags:
        return "over headcount:\ncheck the data", CHECK
    if row.percent is None:
        return "no staff\n(headcount 0)", NONE
    return f"{percent_text(row.percent)}\n{STATUS_WORDS[row.status]}", row.status.value


def heatmap_spec(rows: Sequence[CoverageRow], levels: Sequence[str], *, title: str) -> HeatmapSpec:
    """One organisation's rows as a heat map: a row per team, a column per level."""
    grid = _grid(rows)
    teams = _teams(rows)
    return HeatmapSpec(
        title=title,
        rows=tuple(_chart_label(service, profession) for service, profession in teams),
        columns=tuple(levels),
        cells=tuple(tuple(_cell(grid.get((*team, level))) for level in levels) for team in teams),
        categories=HEATMAP_CATEGORIES,
    )


def _chart_label(service: str, profession: str) -> str:
    """The team as a heat map row label: on two lines (service, then profession) when long."""
    label = _team(service, profession)
    return f"{service},\n{profession}" if len(label) > HEATMAP_LABEL_CHARACTERS else label


def _grid(rows: Sequence[CoverageRow]) -> dict[tuple[str, str, str], CoverageRow]:
    return {(row.service, row.profession, row.level): row for row in rows}


def heatmap_table(rows: Sequence[CoverageRow], levels: Sequence[str], organisation: str) -> Table:
    """The heat map as a table, for screen readers and Word: '87.5%, behind' per cell."""
    grid = _grid(rows)
    table_rows = []
    for service, profession in _teams(rows):
        cells: list[str] = []
        for level in levels:
            row = grid.get((service, profession, level))
            if row is None:
                cells.append(DASH)
            elif _checked(row):
                cells.append(share_cell(row))
            else:
                cells.append(f"{share_cell(row)}, {STATUS_WORDS[row.status]}")
        table_rows.append((_team(service, profession), *cells))
    return Table(
        caption=f"Share of staff trained, by team and level: {organisation}",
        header=("Team", *levels),
        rows=tuple(table_rows),
        notes=("A dash: no requirement for this team at this level.",),
    )


def heatmap_alt_text(rows: Sequence[CoverageRow], organisation: str) -> str:
    """What the heat map shows, with its numbers, for people who cannot see it."""
    cells = []
    for row in rows:
        if _checked(row):
            cells.append(f"{_post(row)} at {row.level}: {share_cell(row)}")
        else:
            cells.append(
                f"{_post(row)} at {row.level}: {share_cell(row)} trained, "
                f"{STATUS_WORDS[row.status]} (target {target_text(row)})"
            )
    return (
        f"Heat map of workforce coverage in {organisation}, {len(rows)} "
        f"requirement{plural(len(rows))}. " + "; ".join(cells) + "."
    )


# ------------------------------------------------------------------------------ per organisation


TABLE_HEADER = (
    "Team",
    "Level",
    "Headcount",
    "Trained",
    "Share trained",
    "Target",
    "Gap (people)",
    "Status",
)


def coverage_table(rows: Sequence[CoverageRow], organisation: str) -> Table:
    """Every row of one organisation with all its figures; a row's flags in words in a note
    under the table (its status then reads "check the data")."""
    table_rows = tuple(
        (
            _post(row),
            row.level,
            Number(f"{row.headcount:,}"),
            Number(f"{row.trained:,}"),
            share_cell(row, short=True) if _checked(row) else Number(share_cell(row)),
            target_text(row, short=True),
            Number(f"{row.gap_people:,}"),
            "check the data" if _checked(row) else STATUS_WORDS[row.status],
        )
        for row in rows
    )
    flagged = tuple(f"{_post(row)} at {row.level}: {flags_text(row)}." for row in rows if row.flags)
    return Table(
        caption=f"Coverage by team and level: {organisation}",
        header=TABLE_HEADER,
        rows=table_rows,
        notes=(
            *flagged,
            "Trained: distinct people trained to the level or higher, counted in the team of "
            "their latest training record. Share trained: trained / headcount, rounded down. "
            "Gap: people still to train to reach the target.",
        ),
    )


def _organisation_section(
    result: CoverageResult, organisation: str, rows: Sequence[CoverageRow]
) -> Section:
    own = [row for row in rows if row.organisation == organisation]
    measured = [row for row in own if not _checked(row)]
    unmeasured = len(own) - len(measured)
    blocks: list[Block] = [
        Paragraph(
            f"{organisation}, {long_date(result.as_of)}. {_status_counts(measured)}"
            + (f"; {unmeasured} to check (see the notes under the table)" if unmeasured else "")
            + "."
        ),
        coverage_table(own, organisation),
    ]
    return Section(f"organisation-{slug(organisation)}", organisation, None, tuple(blocks))


# ------------------------------------------------------------------------------ method


def _method(result: CoverageResult) -> Section:
    levels = join_and(list(result.ladder.levels))
    return Section(
        "method",
        "How coverage is counted",
        None,
        (
            Paragraph(
                f"Levels ({levels}) are cumulative: a person trained to a higher level counts "
                "towards every lower one. Each person counts once, however many courses they "
                "took, in the service and profession of their latest training record; a person "
                "is identified within their organisation. Training completed after "
                f"{long_date(result.as_of)} is not counted, nor training older than a "
                "requirement's refresh interval."
            ),
            Paragraph(
                "Share trained = trained / headcount, rounded down to one decimal place so that "
                "no team reads as having reached a target it has not. Gap = the people the "
                "target asks for (the target share of the headcount, rounded up) less those "
                "trained, and never below zero. A target is met when no gap is left."
            ),
            Paragraph(
                "The figures come from staff training records, which the organisation holds by "
                "name; they are not answers to an evaluation questionnaire and are never joined "
                "to them. Small teams are shown in full: a team's figure is its compliance with "
                "a requirement, which the board needs to act on."
            ),
        ),
    )


# ------------------------------------------------------------------------------ for other reports


def organisation_summary_blocks(result: CoverageResult, organisation: str) -> list[Block]:
    """One organisation's summary as this report's first page gives it (each level's figures,
    the biggest gaps, what closing them takes, the births check): for the board pack."""
    own = [row for row in result.rows if row.organisation == organisation]
    return _organisation_summary(result, organisation, own)


def heat_map_section(result: CoverageResult, organisations: Sequence[str]) -> Section:
    """The heat map section (chart and table per organisation) of ``organisations``."""
    rows = [row for row in result.rows if row.organisation in organisations]
    return _heat_maps(result, organisations, rows)


def method_section(result: CoverageResult) -> Section:
    """How coverage is counted."""
    return _method(result)


__all__ = [
    "DEFAULT_TITLE",
    "HEATMAP_CATEGORIES",
    "coverage_report",
    "coverage_table",
    "heat_map_section",
    "heatmap_alt_text",
    "heatmap_spec",
    "heatmap_table",
    "method_section",
    "organisation_summary_blocks",
    "percent_text",
]
