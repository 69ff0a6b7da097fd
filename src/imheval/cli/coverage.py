"""``imheval coverage``: workforce coverage from spreadsheets (establishment, training records,
required levels)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from imheval.cli.shell import app, console, err_console, run_safely, write_json
from imheval.errors import CoverageError, Problem

if TYPE_CHECKING:
    from imheval.workforce.coverage import BirthsCheck, CoverageResult

# imheval.workforce (pandas) and the reports are imported inside the command, so that the
# command line starts without them.

#: The report formats, by file extension (as :data:`imheval.reports.FORMATS`; a test checks).
REPORT_FORMATS = (".html", ".htm", ".pdf", ".docx")

#: :data:`imheval.workforce.coverage.DEFAULT_COHORT_SIZE`, for the option's default without
#: importing the workforce package at start-up (a test checks they agree).
DEFAULT_COHORT_SIZE = 12

#: Each status's colour on the terminal, by the status's value.
_STYLES = {"met": "green", "on_trajectory": "yellow", "behind": "bold red"}


@app.command(
    "coverage",
    help=(
        "Workforce coverage: how many distinct people of each organisation, service and "
        "profession are trained at or above the level they need, against the headcount and "
        "the target. ESTABLISHMENT has organisation, service, profession, headcount (and "
        "optionally wte); TRAINING has person, organisation, service, profession, level, "
        "completed_on (and optionally programme); REQUIRED has service, profession, level, "
        "target_percent, by_date (and optionally refresh_years; earlier rows for the same "
        "service, profession and level are interim points of a trajectory). CSV or XLSX; "
        "every problem is listed with its file, row and column. Levels are cumulative: a "
        "person at Enhanced counts towards Skilled and Informed. The rules are in "
        "docs/coverage.md.\n\n"
        "Example: imheval coverage establishment.csv training.csv --requirements required.csv "
        "--as-of 2027-03-31 --json coverage.json --report coverage.docx"
    ),
)
def coverage_command(
    establishment: Annotated[
        Path,
        typer.Argument(
            metavar="ESTABLISHMENT",
            help="Headcount by organisation, service and profession (CSV or XLSX).",
        ),
    ],
    training: Annotated[
        Path,
        typer.Argument(
            metavar="TRAINING",
            help="Training records, one per person per course completed (CSV or XLSX).",
        ),
    ],
    requirements: Annotated[
        Path,
        typer.Option(
            "--requirements",
            metavar="REQUIRED",
            help="The level each service and profession needs, with its target (CSV or XLSX).",
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The date to count on (e.g. 2027-03-31; default today). Training completed "
            "after it is not counted.",
        ),
    ] = None,
    framework: Annotated[
        str,
        typer.Option(
            "--framework",
            metavar="LADDER",
            help="The levels, lowest first: nes (Informed, Skilled, Enhanced, Specialist), "
            "seed000 (beginner, intermediate, advanced), aimh (Level 1 to Level 3), or a file "
            "(YAML with name and levels, or one level per line).",
        ),
    ] = "nes",
    births: Annotated[
        Path | None,
        typer.Option(
            "--births",
            metavar="FILE",
            help="Births a year per organisation (organisation, births_per_year), to check "
            "the rule that more than 3,000 births need specialists in several services.",
        ),
    ] = None,
    cohort_size: Annotated[
        int,
        typer.Option("--cohort-size", help="The usual number of people in a cohort."),
    ] = DEFAULT_COHORT_SIZE,
    turnover: Annotated[
        str,
        typer.Option(
            "--turnover",
            metavar="SHARE",
            help="The share of staff who leave each year (e.g. 0.1 or 10%), for the people to "
            "train each year to hold the target.",
        ),
    ] = "0",
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="OUT",
            help="Also write the result as JSON: as_of and a rows list (organisation, service, "
            "profession, level, headcount, trained, percent, target_percent, gap_people, "
            "status, flags), with needs, births and notes.",
        ),
    ] = None,
    report: Annotated[
        list[Path] | None,
        typer.Option(
            "--report",
            metavar="FILE",
            help="Write a report for a board or commissioner (the heat map, the gaps and the "
            "cohorts to close them); the extension picks the format: .html, .pdf or .docx. "
            "Give it more than once for several formats.",
        ),
    ] = None,
) -> None:
    def act() -> None:
        from imheval.reports import write_report
        from imheval.workforce.coverage import coverage
        from imheval.workforce.ladder import find_ladder
        from imheval.workforce.read import (
            read_births,
            read_establishment,
            read_requirements,
            read_training,
        )

        for target in report or []:
            if target.suffix.lower() not in REPORT_FORMATS:
                raise CoverageError(
                    [
                        Problem(
                            file=f"--report {target}",
                            message="use a file ending in .html, .htm, .pdf or .docx",
                        )
                    ]
                )
        day = _date_option(as_of) if as_of else datetime.date.today()
        share = _turnover(turnover)
        ladder = find_ladder(framework)
        posts = read_establishment(establishment)
        records = read_training(training, ladder)
        required = read_requirements(requirements, ladder)
        born = read_births(births) if births is not None else ()
        result = coverage(
            posts,
            records,
            required,
            as_of=day,
            ladder=ladder,
            births=born,
            cohort_size=cohort_size,
            turnover=share,
            training_file=training.name,
        )
        print_coverage(result)
        if json_out is not None:
            write_json(json_out, result.to_dict())
            err_console.print(f"Wrote the coverage to {json_out}")
        if report:
            from imheval.reports.coverage import coverage_report

            # One report model serves every format asked for, so they cannot differ.
            model = coverage_report(result)
            for target in report:
                write_report(model, target)
                err_console.print(f"Wrote the report to {target}")

    run_safely(act)


#: The years --as-of may name: training records of real staff fall well inside them.
FIRST_YEAR = 1950
LAST_YEAR = 2200


def _date_option(text: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CoverageError(
            [Problem(file="--as-of", message=f"'{text}' is not a date: write it as 2027-03-31")]
        ) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise CoverageError(
            [
                Problem(
                    file="--as-of",
                    message=f"'{text}' is outside the years {FIRST_YEAR} to {LAST_YEAR}: "
                    "give the day coverage is counted on, for example 2027-03-31",
                )
            ]
        )
    return day


def _turnover(text: str) -> Decimal:
    cleaned = text.strip()
    percent = cleaned.endswith("%")
    try:
        value = Decimal(cleaned.removesuffix("%").strip())
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise CoverageError(
            [Problem(file="--turnover", message=f"'{text}' is not a share such as 0.1 or 10%")]
        )
    return value / 100 if percent else value


def _people(count: int) -> str:
    return "person" if count == 1 else "people"


def _cohorts(count: int) -> str:
    return f"{count} cohort{'s' if count != 1 else ''}"


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def print_coverage(result: CoverageResult) -> None:
    """The result as tables on the terminal, one per organisation, fitting 80 columns."""
    from imheval.workforce.coverage import FLAG_WORDS, STATUS_WORDS

    console.print(
        f"Workforce coverage as of {_long_date(result.as_of)}; levels of "
        f"{result.ladder.describe()}, cumulative (a person counts at their highest level and "
        "every level below).",
        soft_wrap=True,
    )
    if not result.rows:
        console.print("No establishment row matches a requirement's service and profession.")
    for organisation in result.organisations:
        rows = [row for row in result.rows if row.organisation == organisation]
        # No frame and one space between columns, so the table fits an 80-column terminal;
        # the words wrap (never the figures).
        table = Table(
            title=organisation,
            title_justify="left",
            title_style="bold",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            pad_edge=False,
            padding=(0, 0),
        )
        for heading, justify in (
            ("Service, profession", "left"),
            ("Level", "left"),
            ("Staff", "right"),
            ("Trained", "right"),
            ("%", "right"),
            ("Target", "right"),
            ("By", "left"),
            ("Gap", "right"),
            ("Status", "left"),
        ):
            table.add_column(
                heading,
                justify=justify,  # type: ignore[arg-type]
                overflow="fold",
                no_wrap=heading not in ("Service, profession", "Status"),
                ratio=1 if heading == "Service, profession" else None,
            )
        notes: list[str] = []
        for row in rows:
            mark = ""
            if row.flags:
                notes.append(
                    f"* {row.service}, {row.profession} ({row.level}): "
                    + "; ".join(FLAG_WORDS[flag] for flag in row.flags)
                )
                mark = "*"
            table.add_row(
                f"{row.service}, {row.profession}",
                row.level,
                str(row.headcount),
                f"{row.trained}{mark}",
                _percent(row.percent),
                f"{_number(row.target_percent)}%",
                f"{row.by_date:%d/%m/%Y}",
                str(row.gap_people),
                # a row with no share (over headcount, or no staff) is never "met": its
                # figures need checking first, as the report and the web say
                Text("check the data", style="yellow")
                if row.percent is None
                else Text(STATUS_WORDS[row.status], style=_STYLES[row.status.value]),
            )
        console.print(table)
        for note in notes:
            console.print(note, soft_wrap=True)
        for need in result.needs:
            if need.organisation != organisation or not (need.gap_people or need.leavers_per_year):
                continue
            parts = []
            if need.gap_people:
                parts.append(
                    f"{need.gap_people} more {_people(need.gap_people)} to train now, "
                    f"{_cohorts(need.cohorts_to_close_gap)} of {need.cohort_size}"
                )
            if need.leavers_per_year:
                parts.append(
                    f"{need.leavers_per_year} a year to replace leavers "
                    f"({_cohorts(need.cohorts_per_year)} a year)"
                )
            line = f"{need.level}: " + "; then ".join(parts)
            console.print(line + ".", soft_wrap=True)
    for check in result.births:
        console.print(_births_line(check), soft_wrap=True)
    for note in result.notes:
        console.print(f"Note: {note}", soft_wrap=True)


def _births_line(check: BirthsCheck) -> str:
    services = ", ".join(check.specialist_services) or "no service"
    have = (
        f"{check.specialist_people} at {check.specialist_level} level, in {services}"
        if check.specialist_people
        else f"nobody at {check.specialist_level} level"
    )
    if not check.rule_applies:
        return (
            f"{check.organisation}: {check.births_per_year:,} births a year (3,000 or fewer: "
            f"the rule for specialists in several services does not apply); {have}."
        )
    verdict = "meets" if check.meets_rule else "does not meet"
    return (
        f"{check.organisation}: {check.births_per_year:,} births a year, more than 3,000, so "
        f"specialist practitioners belong in several services; {have}: {verdict} the rule."
    )
