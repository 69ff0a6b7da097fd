"""``imheval services``: level-4 service data (Barr 4a and 4b) before and after training.

A thin shell over :mod:`imheval.services`: ``template`` writes the file to fill in,
``summarise`` reads it and prints per service and measure the before/after means, the
interrupted time series when there are enough periods, and the caution; ``--json`` and
``--html`` write the same. ``imheval analyse --service-data FILE --trained DATE`` puts the
same figures in the report's Level 4 section (:func:`load_services`).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from imheval._version import __version__
from imheval.cli.shell import console, err_console, run_safely, write_json
from imheval.errors import DataFormatError, Problem

if TYPE_CHECKING:
    from imheval.reports.model import Report
    from imheval.services import ServiceSummary

# imheval.services, imheval.stats and the reports are imported inside the functions that use
# them, so that the command line starts without them.

#: :data:`imheval.stats.its.MIN_PERIODS_EACH_SIDE`, for the help text without importing the
#: statistics at start-up (a test checks they agree).
MIN_PERIODS_EACH_SIDE = 8

__all__ = ["ServiceDataOption", "TrainedOption", "app", "load_services"]

app = typer.Typer(
    help=(
        "Level 4 service data (Barr 4a organisational practice, 4b benefit to babies and "
        "families): counts per service and month or quarter, before and after training.\n\n"
        "Example: imheval services template service-data.xlsx\n\n"
        "Example: imheval services summarise service-data.csv --trained 2025-09"
    ),
    no_args_is_help=True,
)

ServiceDataOption = Annotated[
    Path | None,
    typer.Option(
        "--service-data",
        help="Level 4 service data (CSV or XLSX; see 'imheval services template') to show in "
        "the report's Level 4 section. Needs --trained.",
        show_default=False,
    ),
]
TrainedOption = Annotated[
    list[str] | None,
    typer.Option(
        "--trained",
        help="When training began: 2025-09 or 2025-09-15 for every service, or "
        "SERVICE=DATE for one service (repeat the option).",
        show_default=False,
    ),
]


def training_dates(specs: list[str]) -> tuple[datetime.date | None, dict[str, datetime.date]]:
    """The default date and the per-service dates from ``--trained`` values; raises
    :class:`DataFormatError` naming the value that is not a date."""
    from imheval.services import parse_training_date

    default: datetime.date | None = None
    per_service: dict[str, datetime.date] = {}
    problems: list[Problem] = []
    for spec in specs:
        service, _, text = spec.rpartition("=")
        date = parse_training_date(text)
        if date is None:
            problems.append(
                Problem(
                    "--trained",
                    f"'{text}' is not a date: write 2025-09 or 2025-09-15 (or SERVICE=2025-09)",
                )
            )
        elif service.strip():
            per_service[service.strip()] = date
        else:
            default = date
    if problems:
        raise DataFormatError(problems)
    return default, per_service


def load_services(
    path: Path | None, trained: list[str] | None, min_group_size: int
) -> ServiceSummary | None:
    """The summary of the service data at ``path`` (None when no path is given)."""
    if path is None:
        if trained:
            raise DataFormatError([Problem("--trained", "give --service-data FILE with it")])
        return None
    from imheval.services import read_service_data, summarise

    default, per_service = training_dates(trained or [])
    if default is None and not per_service:
        raise DataFormatError(
            [Problem("--trained", "say when training began, e.g. --trained 2025-09")]
        )
    data = read_service_data(path)
    known = {name.casefold() for name in data.services}
    unknown = [name for name in per_service if name.casefold() not in known]
    if unknown:
        listed = ", ".join(data.services) or "none"
        raise DataFormatError(
            [
                Problem(
                    "--trained",
                    f"'{name}' is not a service in {data.source} (its services are: {listed}); "
                    "write SERVICE=DATE with the service as the file's service column has it",
                )
                for name in unknown
            ]
        )
    data = data.with_training(default, per_service)
    return summarise(data, min_group_size=min_group_size)


@app.command(
    help=(
        "Write a service-data file to fill in: the columns and one example row per measure "
        "imheval knows (overwrite them with your own).\n\n"
        "Example: imheval services template service-data.xlsx\n\n"
        "Example: imheval services template service-data.csv"
    )
)
def template(
    out: Annotated[Path, typer.Argument(help="The file to write (.csv or .xlsx).")],
) -> None:
    def body() -> None:
        from imheval.services import template_bytes

        suffix = out.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise DataFormatError([Problem(out.name, "write a .csv or .xlsx file")])
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(template_bytes("xlsx" if suffix == ".xlsx" else "csv"))
        err_console.print(f"Wrote the service-data template to {out}")

    run_safely(body)


@app.command(
    "summarise",
    help=(
        "Summarise service data before and after training: per service and measure the mean "
        f"per period before and after, the difference, and an interrupted time series "
        f"(segmented regression) only when there are at least {MIN_PERIODS_EACH_SIDE} periods "
        "before and after; always with the caution that other things changed too.\n\n"
        "Example: imheval services summarise service-data.csv --trained 2025-09\n\n"
        'Example: imheval services summarise data.xlsx --trained "Health visiting North=2025-09" '
        '--trained "Health visiting South=2025-11" --html services.html --json services.json'
    ),
)
def summarise_command(
    data: Annotated[Path, typer.Argument(help="The service-data file (.csv or .xlsx).")],
    trained: TrainedOption = None,
    json_path: Annotated[
        Path | None, typer.Option("--json", help="Write the summary as JSON to this file.")
    ] = None,
    html_path: Annotated[
        Path | None,
        typer.Option("--html", help="Write the summary with its charts as HTML to this file."),
    ] = None,
    min_group_size: Annotated[
        int,
        typer.Option(
            "--min-group-size",
            min=1,
            help="Counts from 1 to one less than this are hidden, so nobody can be identified.",
        ),
    ] = 5,
) -> None:
    def body() -> None:
        from imheval.reports import write_report

        summary = load_services(data, trained or [], min_group_size)
        assert summary is not None  # a path was given
        _render(summary)
        if json_path is not None:
            write_json(json_path, summary.to_dict())
            err_console.print(f"Wrote the service-data summary to {json_path}")
        if html_path is not None:
            write_report(services_report(summary), html_path)
            err_console.print(f"Wrote the service-data summary to {html_path}")

    run_safely(body)


def services_report(summary: ServiceSummary) -> Report:
    """The service-data summary as a one-section report (for --html)."""
    from imheval.reports.model import Report, Section
    from imheval.reports.sections.services_blocks import service_blocks

    return Report(
        title="Service data before and after training",
        subtitle=f"Kirkpatrick level 4 (Barr 4a and 4b); data: {summary.source}",
        generated=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sections=(Section("level-4", "Level 4: Results", 4, tuple(service_blocks(summary))),),
        software=f"imheval {__version__}",
    )


def _render(summary: ServiceSummary) -> None:
    from imheval.reports.sections.services_blocks import barr_name
    from imheval.services import CAUTION
    from imheval.services.analysis import shown

    console.rule(Text("imheval service data (level 4)", style="bold"))
    console.print(f"Data: {summary.source}")
    console.print(Text(CAUTION, style="yellow"))
    for level in ("4a", "4b"):
        chosen = [s for s in summary.series if s.measure.barr_level == level]
        if not chosen:
            continue
        console.rule(Text(barr_name(level)))
        for series in chosen:
            word = series.period_word
            table = Table(title=f"{series.service}: {series.measure.label}", title_justify="left")
            table.add_column("")
            table.add_column(f"{word.capitalize()}s", justify="right")
            table.add_column(f"Mean per {word}", justify="right")
            table.add_row(
                "Before", str(series.before.periods), shown(series.measure, series.before.mean)
            )
            table.add_row(
                "After", str(series.after.periods), shown(series.measure, series.after.mean)
            )
            table.add_row("Difference", "", shown(series.measure, series.difference, signed=True))
            console.print(table)
            for item in series.findings:
                console.print(f"- {item.text}")
