"""The board pack (issue 16, part 5): one organisation's year for its board, in Word and PDF.

A first page a board member reads in a minute: places funded and used, coverage against the
targets, the biggest gaps and what closing them takes, and whether the training worked. Then the
heat map, places by programme and by profession (seed 001's question: which professions took the
120 places, and how many finished), the gaps, outcomes per programme, and the two delivery-plan
actions "Training and workforce development" and "Evaluation of impact" reported against (seed
004), each with the organisation's own commentary when it gives one.

Built from core values only (:class:`~imheval.workforce.CoverageResult`,
:class:`~imheval.workforce.board.PlacesLine`, :class:`~imheval.workforce.board.OutcomeLine`),
so the web app and any script get the same pack. Outcomes arrive already suppressed by the
evaluation engine (fewer than 5 people: hidden); coverage shows small teams in full, as the
coverage report does (decision 0017).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from imheval._version import __version__
from imheval.findings.wording import join_and, plural
from imheval.reports.context import LEVEL_TITLES
from imheval.reports.coverage import (
    heat_map_section,
    long_date,
    method_section,
    organisation_summary_blocks,
)
from imheval.reports.coverage import (
    percent_text as share_text,
)
from imheval.reports.model import (
    Block,
    Callout,
    Findings,
    Heading,
    Number,
    Paragraph,
    Report,
    Section,
    Table,
)
from imheval.reports.wording import DASH, HIDDEN
from imheval.workforce.board import DELIVERY_PLAN_ACTIONS, OutcomeLine, PlacesLine, financial_year
from imheval.workforce.coverage import CoverageResult, Status

__all__ = ["DEFAULT_TITLE", "board_pack"]

DEFAULT_TITLE = "Infant mental health training: board pack"


def board_pack(
    *,
    organisation: str,
    year: int,
    coverage: CoverageResult | None,
    places: Sequence[PlacesLine],
    outcomes: Sequence[OutcomeLine],
    commentary: Mapping[str, str] | None = None,
    title: str = DEFAULT_TITLE,
    generated: str | None = None,
) -> Report:
    """The board pack of ``organisation`` for the financial year ``year`` (2026 = 2026/27).

    ``coverage`` is None when the organisation has no establishment or requirements yet (the
    pack then says so instead of showing a heat map). ``places`` are the year's lines (others
    are left out); ``outcomes`` one line per programme. ``commentary`` maps a delivery-plan
    action (:data:`~imheval.workforce.board.DELIVERY_PLAN_ACTIONS`) to the organisation's own
    words on it, printed under the figures.
    """
    year_places = [line for line in places if line.year == year]
    rows = [] if coverage is None else [r for r in coverage.rows if r.organisation == organisation]
    sections: list[Section] = [
        _first_page(organisation, year, coverage, year_places, outcomes),
    ]
    if coverage is not None and rows:
        sections.append(heat_map_section(coverage, (organisation,)))
    sections.append(_places_section(year, year_places))
    if coverage is not None and rows:
        sections.append(
            Section(
                "gaps",
                "The gaps and what closing them takes",
                None,
                tuple(organisation_summary_blocks(coverage, organisation)),
            )
        )
    sections.append(_outcomes_section(outcomes))
    sections.append(
        _actions_section(organisation, year, coverage, year_places, outcomes, commentary or {})
    )
    if coverage is not None:
        sections.append(method_section(coverage))
    as_of = f"; coverage on {long_date(coverage.as_of)}" if coverage is not None else ""
    return Report(
        title=title,
        subtitle=f"{organisation}; financial year {financial_year(year)}{as_of}",
        generated=generated or datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sections=tuple(sections),
        software=f"imheval {__version__}",
        generated_label="Made",
    )


# ------------------------------------------------------------------------------ first page


def _first_page(
    organisation: str,
    year: int,
    coverage: CoverageResult | None,
    places: Sequence[PlacesLine],
    outcomes: Sequence[OutcomeLine],
) -> Section:
    items: list[tuple[str, str]] = []
    items.append(_places_finding(year, places))
    items.append(_coverage_finding(coverage, organisation))
    items.append(_outcomes_finding(outcomes))
    blocks: list[Block] = [
        Paragraph(
            f"What {organisation}'s infant mental health training achieved in "
            f"{financial_year(year)}: how many places were funded and used, how many of the "
            "staff who need training have it, and whether the training worked."
        ),
        Findings(tuple(items)),
    ]
    for line in outcomes:
        blocks.append(Paragraph(line.sentence))
    return Section("summary", "Summary for the board", None, tuple(blocks))


def _places_finding(year: int, places: Sequence[PlacesLine]) -> tuple[str, str]:
    if not places:
        return (f"No places were recorded for {financial_year(year)}.", "")
    funded = sum(line.funded or 0 for line in places)
    taken = sum(line.taken for line in places)
    completed = sum(line.completed for line in places)
    programmes = len(places)
    head = (
        f"{funded:,} place{plural(funded)} funded on {programmes} programme{plural(programmes)}; "
        f"{taken:,} taken and {completed:,} completed."
        if funded
        else f"{taken:,} people took places on {programmes} programme{plural(programmes)} "
        f"(no funded places recorded); {completed:,} completed."
    )
    figures = []
    if funded:
        # only programmes with funded places count against them (an unfunded course's
        # people did not use a funded place)
        used = sum(line.taken for line in places if line.funded)
        figures.append(f"{share_text(100 * used / funded)} of funded places used")
    if taken:
        figures.append(f"{share_text(100 * completed / taken)} of those who started completed")
    return (head, "; ".join(figures))


def _coverage_finding(coverage: CoverageResult | None, organisation: str) -> tuple[str, str]:
    if coverage is None:
        return (
            "Coverage is not measured yet: record the establishment and the required levels "
            "to see it.",
            "",
        )
    rows = [row for row in coverage.rows if row.organisation == organisation]
    if not rows:
        return ("No required level matches a team of the establishment.", "")
    met = sum(1 for row in rows if row.status is Status.MET)
    behind = sum(1 for row in rows if row.status is Status.BEHIND)
    gap = sum(row.gap_people for row in rows)
    head = (
        f"{met} of {len(rows)} training target{plural(len(rows))} met on "
        f"{long_date(coverage.as_of)}."
    )
    figures = [f"{behind} behind" if behind else "none behind"]
    if gap:
        figures.append(f"{gap:,} more {'person' if gap == 1 else 'people'} to train")
    return (head, "; ".join(figures))


def _outcomes_finding(outcomes: Sequence[OutcomeLine]) -> tuple[str, str]:
    evaluated = [line for line in outcomes if line.matched]
    if not outcomes:
        return ("No programme has outcomes yet.", "")
    head = (
        f"{len(evaluated)} of {len(outcomes)} programme{plural(len(outcomes))} "
        "measured change before and after training."
    )
    levels = sorted({level for line in outcomes for level in line.kirkpatrick})
    figure = (
        "Kirkpatrick levels measured: " + join_and([LEVEL_TITLES[level] for level in levels])
        if levels
        else "no Kirkpatrick level measured"
    )
    return (head, figure)


# ------------------------------------------------------------------------------ places


def _count(value: int | None) -> str:
    return Number(f"{value:,}") if value is not None else DASH


def _share(value: float | None) -> str:
    return Number(share_text(value)) if value is not None else DASH


def _places_section(year: int, places: Sequence[PlacesLine]) -> Section:
    if not places:
        return Section(
            "places",
            "Places funded and used",
            None,
            (Paragraph(f"No places were recorded for {financial_year(year)}."),),
        )
    table = Table(
        caption=f"Places by programme, {financial_year(year)}",
        header=(
            "Programme",
            "Level",
            "Funder",
            "Funded",
            "Offered",
            "Taken",
            "Completed",
            "Funded places used",
            "Completed of taken",
        ),
        rows=tuple(
            (
                line.programme,
                line.level or DASH,
                line.funder or DASH,
                _count(line.funded),
                _count(line.offered),
                _count(line.taken),
                _count(line.completed),
                _share(line.used_percent),
                _share(line.completed_percent),
            )
            for line in places
        ),
        notes=(
            "Taken: people on the training register of the year's cohorts; completed: those who "
            "met the programme's completion rule. Shares are rounded down.",
        ),
    )
    blocks: list[Block] = [table]
    over = [line for line in places if line.funded and line.taken > line.funded]
    if over:
        blocks.append(
            Callout(
                "info",
                "More people took places than were funded on "
                + join_and([line.programme for line in over])
                + ".",
            )
        )
    professions: dict[str, list[int]] = {}
    for line in places:
        for profession, taken, completed in line.by_profession:
            counts = professions.setdefault(profession, [0, 0])
            counts[0] += taken
            counts[1] += completed
    if professions:
        blocks.append(Heading("Which professions took the places", level=2))
        blocks.append(
            Table(
                caption=f"Places by profession, {financial_year(year)}, all programmes",
                header=("Profession", "Taken", "Completed", "Completed of taken"),
                rows=tuple(
                    (
                        profession,
                        _count(taken),
                        _count(completed),
                        _share(100 * completed / taken if taken else None),
                    )
                    for profession, (taken, completed) in sorted(
                        professions.items(), key=lambda item: (-item[1][0], item[0])
                    )
                ),
            )
        )
    return Section("places", "Places funded and used", None, tuple(blocks))


# ------------------------------------------------------------------------------ outcomes


def _number(value: float | None, places: int = 2) -> str:
    return Number(f"{value:.{places}f}") if value is not None else DASH


def _signed(value: float | None) -> str:
    return Number(f"{value:+.1f}") if value is not None else DASH


def _interval(line: OutcomeLine) -> str:
    if line.ci_low is None or line.ci_high is None:
        return DASH
    return Number(f"{line.ci_low:.2f} to {line.ci_high:.2f}")


def _outcomes_section(outcomes: Sequence[OutcomeLine]) -> Section:
    if not outcomes:
        return Section(
            "outcomes",
            "Did it work? Outcomes per programme",
            None,
            (Paragraph("No programme has an evaluation yet."),),
        )
    table = Table(
        caption="Outcomes per programme",
        header=(
            "Programme",
            "Level",
            "Completed",
            "Matched before and after",
            "Measure",
            "Change (points)",
            "Effect size",
            "95% CI",
            "Still answering at follow-up",
            "Kirkpatrick levels",
        ),
        rows=tuple(
            (
                line.programme,
                line.level or DASH,
                _count(line.completed),
                HIDDEN if line.matched is None else _count(line.matched),
                line.measure or DASH,
                _signed(line.change),
                (
                    Number(f"{line.effect_label} {line.effect:.2f}")
                    if line.effect is not None
                    else DASH
                ),
                _interval(line),
                _retention(line),
                ", ".join(str(level) for level in line.kirkpatrick) or DASH,
            )
            for line in outcomes
        ),
        notes=(
            "Matched: people who answered the questionnaire before and after the training "
            "(anonymous codes, never joined to the training register). Fewer than 5 people: "
            "hidden. The effect size is named by its type; the interval is its 95% confidence "
            "interval. Follow-up: people matched months later, as a share of those matched "
            "before and after. Kirkpatrick levels: 1 reaction, 2 learning, 3 behaviour, "
            "4 results.",
        ),
    )
    blocks: list[Block] = [Paragraph(line.sentence) for line in outcomes]
    blocks.append(table)
    return Section("outcomes", "Did it work? Outcomes per programme", None, tuple(blocks))


def _retention(line: OutcomeLine) -> str:
    if line.followup_matched is None or not line.matched:
        return DASH
    percent = line.retention_percent
    assert percent is not None
    return Number(f"{line.followup_matched:,} ({share_text(percent)})")


# ------------------------------------------------------------------------------ actions


def _actions_section(
    organisation: str,
    year: int,
    coverage: CoverageResult | None,
    places: Sequence[PlacesLine],
    outcomes: Sequence[OutcomeLine],
    commentary: Mapping[str, str],
) -> Section:
    training, evaluation = DELIVERY_PLAN_ACTIONS
    blocks: list[Block] = [
        Paragraph(
            "The delivery plan's actions on training and on evaluation, reported against with "
            "this year's figures."
        ),
        Heading(training, level=2),
        Findings(
            (
                _places_finding(year, places),
                _coverage_finding(coverage, organisation),
            )
        ),
    ]
    if coverage is not None:
        needs = [
            need for need in coverage.needs if need.organisation == organisation and need.gap_people
        ]
        if needs:
            blocks.append(
                Paragraph(
                    "To close the gaps: "
                    + "; ".join(
                        f"{need.level}, {need.gap_people:,} "
                        f"{'person' if need.gap_people == 1 else 'people'} "
                        f"({need.cohorts_to_close_gap} cohort{plural(need.cohorts_to_close_gap)}"
                        f" of {need.cohort_size})"
                        for need in needs
                    )
                    + "."
                )
            )
    if commentary.get(training, "").strip():
        blocks.append(Callout("info", commentary[training].strip()))
    blocks.append(Heading(evaluation, level=2))
    evaluated = [line for line in outcomes if line.matched]
    not_evaluated = [line.programme for line in outcomes if not line.matched]
    followed = [line for line in outcomes if line.followup_matched]
    items = [_outcomes_finding(outcomes)]
    if outcomes:
        items.append(
            (
                f"{len(followed)} of {len(outcomes)} programme{plural(len(outcomes))} followed "
                "people up months later to see whether practice changed.",
                "",
            )
        )
    blocks.append(Findings(tuple(items)))
    if not_evaluated:
        blocks.append(
            Paragraph(
                "Not yet showing change before and after (no questionnaires, or fewer than 5 "
                "people matched): " + join_and(not_evaluated) + "."
            )
        )
    if evaluated:
        blocks.append(Paragraph(" ".join(line.sentence for line in evaluated)))
    if commentary.get(evaluation, "").strip():
        blocks.append(Callout("info", commentary[evaluation].strip()))
    return Section("actions", "Delivery plan actions", None, tuple(blocks))
