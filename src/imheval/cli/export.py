"""``imheval export``: a responses file rewritten as tidy CSV, XLSX or SPSS .sav."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from imheval.cli.shell import app, err_console, run_safely
from imheval.errors import DataFormatError, Problem


@app.command(
    help=(
        "Rewrite a responses file as CSV, XLSX or SPSS .sav; the OUTPUT's extension picks the "
        "format.\n\n"
        "INPUT is a CSV or XLSX file in tidy or wide layout (see docs/data-format.md); it is "
        "checked as 'imheval analyse' checks it and written in tidy layout, one row per "
        "participant per timepoint. With --instrument the item answers are kept and the .sav "
        "gets the item text as variable labels and the options or rating labels as value "
        "labels; without it, every numeric column is an already-scored domain total.\n\n"
        "Example: imheval export responses.xlsx responses.sav --instrument imh-core\n\n"
        "Example: imheval export wide.csv tidy.xlsx -i imh-core"
    )
)
def export(
    data: Annotated[Path, typer.Argument(help="Responses file to read (.csv or .xlsx).")],
    output: Annotated[
        Path, typer.Argument(help="File to write: .csv, .xlsx or .sav (replaced if it exists).")
    ],
    instrument: Annotated[
        list[str] | None,
        typer.Option(
            "--instrument",
            "-i",
            help="Instrument the answers belong to: a built-in id (see 'imheval instruments "
            "list') or a YAML file. Repeat for several forms.",
            show_default=False,
        ),
    ] = None,
) -> None:
    def body() -> None:
        from imheval.instruments import resolve_instrument
        from imheval.io import read_responses
        from imheval.io.writers import WRITE_FORMATS, write_responses

        # Refuse a bad OUTPUT before the (possibly long) read, so nothing is half done.
        if output.suffix.lower() not in WRITE_FORMATS:
            raise DataFormatError(
                [Problem(output.name, "cannot write this kind of file; use .csv, .xlsx or .sav")]
            )
        if output.resolve() == data.resolve():
            raise DataFormatError(
                [Problem(output.name, "OUTPUT is the INPUT file; give another name")]
            )
        instruments = [resolve_instrument(ref) for ref in instrument or []]
        item_ids = [item.id for form in instruments for item in form.items]
        table = read_responses(data, item_columns=item_ids or None)
        for warning in table.warnings:
            err_console.print(f"Note: {warning}")
        write_responses(table, output, instruments, file_label=f"imheval: {data.name}")
        err_console.print(f"Wrote {table.n_rows} responses to {output}")

    run_safely(body)
