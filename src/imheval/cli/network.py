"""``imheval network``: network groups from files (the attendance rule)."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from imheval.cli.shell import console, run_safely
from imheval.errors import AttendanceError
from imheval.network.attendance import (
    ApologiesPolicy,
    AttendanceRule,
    LatePolicy,
    Register,
    Standing,
    State,
    standings,
)

# imheval.network.register (pandas, openpyxl) is imported inside the command, so that the
# command line starts without it; the attendance rule itself is plain Python.

app = typer.Typer(
    name="network",
    help=(
        "Network groups from files: who can still reach the attendance target, and how.\n\n"
        "Example: imheval network attendance GROUP.xlsx --as-of 2026-03-06"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)

_STYLES = {
    State.CANNOT_REACH: "bold red",
    State.MUST_ATTEND_ALL: "bold yellow",
    State.MAY_MISS: "green",
    State.NOT_MET: "red",
    State.MET: "green",
}


@app.command(
    "attendance",
    help=(
        "Apply the attendance rule to a group's register and list the members by state: cannot "
        "reach the target, must attend every remaining meeting, may miss k more, then (once "
        "nothing remains for them) not met and met. GROUP is a workbook with sheets meetings "
        "(date, status held/cancelled/planned, topic, duration_minutes), members (member, "
        "joined, left) and attendance (member, date, status present/late/apologies/absent), "
        "or a folder of meetings.csv, members.csv and attendance.csv. Every problem of the "
        "files is listed with its sheet, row and column. The rule is in docs/network-groups.md."
        "\n\n"
        "Example: imheval network attendance GROUP.xlsx --as-of 2026-03-06 --json standing.json"
    ),
)
def attendance_command(
    group: Annotated[
        Path,
        typer.Argument(
            metavar="GROUP", help="The register: GROUP.xlsx, or a folder of three CSV files."
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            metavar="DATE",
            help="The date to work it out on (e.g. 2026-03-06; default today). Meetings on or "
            "before it must be held or cancelled, later ones planned or cancelled.",
        ),
    ] = None,
    target: Annotated[
        str, typer.Option("--target", metavar="PERCENT", help="The attendance target in percent.")
    ] = "80",
    late: Annotated[
        LatePolicy,
        typer.Option("--late", help="Whether a late arrival counts as attended or missed."),
    ] = LatePolicy.ATTENDED,
    apologies: Annotated[
        ApologiesPolicy,
        typer.Option(
            "--apologies",
            help="Whether apologies count as a missed meeting, or leave the count (excluded).",
        ),
    ] = ApologiesPolicy.MISSED,
    year_start: Annotated[
        str | None,
        typer.Option(
            "--year-start",
            metavar="DATE",
            help="The attendance year is the 12 months from this date's month (default: the "
            "month of the first meeting).",
        ),
    ] = None,
    json_out: Annotated[
        Path | None,
        typer.Option(
            "--json",
            metavar="OUT",
            help="Also write the standings as JSON: a list of objects, one per member, "
            "percentages unrounded.",
        ),
    ] = None,
    tidy_csv: Annotated[
        Path | None,
        typer.Option(
            "--tidy-csv",
            metavar="OUT",
            help="Also write the register as a tidy CSV (one row per member per meeting).",
        ),
    ] = None,
    register_xlsx: Annotated[
        Path | None,
        typer.Option(
            "--register-xlsx",
            metavar="OUT",
            help="Also write the year's register as a wide workbook (a column per meeting).",
        ),
    ] = None,
) -> None:
    def act() -> None:
        from imheval.network.register import read_register, write_tidy_csv, write_wide_xlsx

        day = _date_option("--as-of", as_of) if as_of else datetime.date.today()
        rule = AttendanceRule(
            target_percent=_target(target),
            late=late,
            apologies=apologies,
            year_start=_date_option("--year-start", year_start) if year_start else None,
        )
        register = read_register(group, as_of=day, rule=rule)
        results = standings(register, rule, day)
        _print(register, rule, day, results)
        if json_out is not None:
            _write(json_out, _json_text(results))
        if tidy_csv is not None:
            _write(tidy_csv, write_tidy_csv(register, rule, day))
        if register_xlsx is not None:
            register_xlsx.parent.mkdir(parents=True, exist_ok=True)
            register_xlsx.write_bytes(write_wide_xlsx(register, rule, day))

    run_safely(act)


def _date_option(option: str, text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise AttendanceError(
            f"{option} '{text}' is not a date: write it as year-month-day, e.g. 2026-03-06"
        ) from None


def _target(text: str) -> Decimal:
    try:
        value = Decimal(text.strip().removesuffix("%"))
    except InvalidOperation:
        raise AttendanceError(
            f"--target '{text}' is not a number: give a percentage such as 80"
        ) from None
    if not value.is_finite():
        raise AttendanceError(f"--target '{text}' is not a number: give a percentage such as 80")
    return value


def _json_text(results: tuple[Standing, ...]) -> str:
    document = [result.to_dict() for result in results]
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")


def _long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def _print(
    register: Register, rule: AttendanceRule, as_of: datetime.date, results: tuple[Standing, ...]
) -> None:
    start, end = rule.year(register) if register.meetings or rule.year_start else (as_of, as_of)
    last = end - datetime.timedelta(days=1)
    late = "counts as attended" if rule.late is LatePolicy.ATTENDED else "counts as missed"
    apologies = (
        "count as a missed meeting"
        if rule.apologies is ApologiesPolicy.MISSED
        else "leave the count (excluded)"
    )
    console.print(
        f"Attendance as of {_long_date(as_of)}, over the year {start:%B %Y} to {last:%B %Y}; "
        f"target {rule.target_percent}%; arriving late {late}; apologies {apologies}.",
        soft_wrap=True,
    )
    if end <= as_of:
        console.print("The year is over: each member met the target or did not.")
    table = Table(
        title="Members by state (those to talk to first at the top)", title_justify="left"
    )
    for heading, justify in (
        ("Member", "left"),
        ("Standing", "left"),
        ("Attended", "right"),
        ("Needed", "right"),
        ("To come", "right"),
        ("So far", "right"),
        ("Best", "right"),
    ):
        # The words wrap (never the figures), so the table fits an 80-column terminal.
        table.add_column(
            heading,
            justify=justify,  # type: ignore[arg-type]
            overflow="fold",
            no_wrap=heading not in ("Member", "Standing"),
        )
    for result in results:
        base = result.held + result.remaining
        table.add_row(
            result.member,
            Text(result.sentence(), style=_STYLES[result.state]),
            f"{result.attended} of {result.held}",
            f"{result.required} of {base}",
            str(result.remaining),
            _percent(result.percentage_so_far),
            _percent(result.best_possible_percentage),
        )
    console.print(table)
    if not results:
        console.print("The members sheet lists nobody.")
    unrecorded = [r for r in results if r.not_recorded]
    if unrecorded:
        console.print(
            "Not recorded (held meetings with no mark; each counts as missed until someone "
            "records it):",
            soft_wrap=True,
        )
        for result in unrecorded:
            console.print(f"  {result.member}: {', '.join(result.not_recorded_meetings)}")
    if any(r.apologies for r in results):
        console.print(
            "Apologies are counted apart"
            + (
                " and count as missed meetings."
                if rule.apologies is ApologiesPolicy.MISSED
                else "; those meetings leave the member's count."
            ),
            soft_wrap=True,
        )
