"""``imheval template``: an empty responses file with the right columns and one sample row."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer

from imheval.cli.shell import app, err_console, run_safely
from imheval.errors import DataFormatError, Problem

if TYPE_CHECKING:
    from imheval.io.templates import TemplateFormat

_KINDS = {".csv": "csv", ".xlsx": "xlsx"}


@app.command(
    help=(
        "Write a template for entering responses: the columns of the instruments in tidy "
        "layout (participant, cohort, programme, timepoint, directorate, profession, then one "
        "column per question) and one sample row showing what a cell holds. Overwrite the "
        "sample row with real answers; see docs/data-format.md. OUTPUT's extension picks the "
        "format: .csv or .xlsx.\n\n"
        "Example: imheval template --instrument imh-core responses.csv\n\n"
        "Example: imheval template -i imh-core -i imh-advanced-knowledge --timepoint post "
        "post.xlsx"
    )
)
def template(
    output: Annotated[
        Path, typer.Argument(help="File to write: .csv or .xlsx (replaced if it exists).")
    ],
    instrument: Annotated[
        list[str],
        typer.Option(
            "--instrument",
            "-i",
            help="Instrument whose questions are the columns: a built-in id (see 'imheval "
            "instruments list') or a YAML file. Repeat for several forms.",
            show_default=False,
        ),
    ],
    timepoint: Annotated[
        str,
        typer.Option("--timepoint", help="Timepoint of the sample row: pre, post or followup."),
    ] = "pre",
    cohort: Annotated[
        str, typer.Option("--cohort", help="Cohort name in the sample row.")
    ] = "Cohort 1",
) -> None:
    def body() -> None:
        from imheval.instruments import resolve_instrument
        from imheval.io.table import TIMEPOINTS
        from imheval.io.templates import template_bytes

        kind = _KINDS.get(output.suffix.lower())
        if kind is None:
            raise DataFormatError(
                [Problem(output.name, "a template is a .csv or .xlsx file; use one of those")]
            )
        if timepoint not in TIMEPOINTS:
            raise DataFormatError(
                [
                    Problem(
                        output.name,
                        f"--timepoint {timepoint!r}: use one of {', '.join(TIMEPOINTS)}",
                    )
                ]
            )
        instruments = [resolve_instrument(ref) for ref in instrument]
        content = template_bytes(
            instruments, cast("TemplateFormat", kind), timepoint=timepoint, cohort=cohort
        )
        output.write_bytes(content)
        columns = sum(len(form.items) for form in instruments)
        err_console.print(f"Wrote a template with {columns} question columns to {output}")

    run_safely(body)
