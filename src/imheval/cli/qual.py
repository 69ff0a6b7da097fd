"""``imheval qual``: focus groups and thematic analysis from files (REFI-QDA projects).

The commands that read or write the web app's database (``import``, ``export``) are registered on
the same app by :mod:`imheval.cli.qual_web`, which may import Django; this module may not.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from imheval.cli.shell import console, err_console, run_safely, write_json

if TYPE_CHECKING:
    from imheval.qualitative.agreement import AgreementReport
    from imheval.qualitative.model import Project

# imheval.qualitative (lxml) and the statistics are imported inside the functions that use
# them, so that the command line starts without them.

app = typer.Typer(
    name="qual",
    help=(
        "Focus groups and thematic analysis: agreement between coders, and REFI-QDA projects "
        "(.qdpx) in and out of imheval.\n\n"
        "Example: imheval qual agreement focus-group.qdpx --unit character"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


# --------------------------------------------------------------------------------------------
# imheval qual agreement

#: More codes than this get a progress bar on a terminal (fewer finish before it would be seen).
PROGRESS_MIN_CODES = 5

_UNIT_WORDS = {
    "character": "character (every character of the text is compared)",
    "turn": (
        "speaker turn (a coder coded a turn if any of their codings touches it; a source "
        "without turns is compared line by line)"
    ),
}


class UnitChoice(StrEnum):
    """The unit of comparison, as the command line offers it."""

    CHARACTER = "character"
    TURN = "turn"


@app.command(
    help=(
        "Agreement between coders in a REFI-QDA project (.qdpx) made in imheval, NVivo, "
        "ATLAS.ti, MAXQDA or QualCoder: for each code, percent agreement, Cohen's kappa (two "
        "coders) and Krippendorff's alpha (two or more coders), pooled over all sources and "
        "then source by source.\n\n"
        "Coders are the project's users who made codings (a coding's creatingUser). With "
        "--unit character every character of a source is compared, each coder's overlapping "
        "codings merged first; with --unit turn every speaker turn is compared. A figure that "
        "cannot be worked out (nobody used the code, or everyone coded everything) is shown as "
        "'not defined', with the reason.\n\n"
        "Example: imheval qual agreement focus-group.qdpx\n\n"
        "Example: imheval qual agreement focus-group.qdpx --unit turn --json agreement.json"
    )
)
def agreement(
    project: Annotated[Path, typer.Argument(help="A REFI-QDA project file (.qdpx).")],
    unit: Annotated[
        UnitChoice,
        typer.Option("--unit", help="What is compared: each character, or each speaker turn."),
    ] = UnitChoice.CHARACTER,
    coder: Annotated[
        list[str] | None,
        typer.Option(
            "--coder",
            metavar="NAME",
            help="Compare only these coders (name or GUID); repeat for each. Default: every "
            "coder who made a coding.",
            show_default=False,
        ),
    ] = None,
    code: Annotated[
        list[str] | None,
        typer.Option(
            "--code",
            metavar="NAME",
            help="Only these codes (name or GUID); repeat for each. Default: every code.",
            show_default=False,
        ),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write the figures as JSON to this file."),
    ] = None,
) -> None:
    def body() -> None:
        from imheval.qualitative.agreement import to_json
        from imheval.qualitative.refi import read_qdpx

        read = read_qdpx(project)
        for loss in read.losses:
            err_console.print(f"Note: {loss}", soft_wrap=True)
        report = _agreement_with_progress(read.project, unit.value, coder, code)
        for note in report.notes:
            err_console.print(f"Note: {note}", soft_wrap=True)
        _render_agreement(read.project, report)
        if json_path is not None:
            write_json(json_path, to_json(report))
            err_console.print(f"Wrote the agreement figures to {json_path}", soft_wrap=True)

    run_safely(body)


def _agreement_with_progress(
    project: Project, unit: str, coders: list[str] | None, codes: list[str] | None
) -> AgreementReport:
    from imheval.qualitative.agreement import agreement as compute_agreement

    def compute(progress: Callable[[int, int], None] | None = None) -> AgreementReport:
        return compute_agreement(
            project,
            unit="turn" if unit == "turn" else "character",
            coders=coders or None,
            codes=codes or None,
            progress=progress,
        )

    if not err_console.is_terminal or len(codes or project.codes) <= PROGRESS_MIN_CODES:
        return compute()
    with Progress(
        TextColumn("Comparing codes"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("codes", total=None)
        return compute(lambda done, total: bar.update(task, completed=done, total=total))


def _render_agreement(project: Project, report: AgreementReport) -> None:
    two_coders = len(report.coders) == 2
    console.rule(Text("imheval agreement between coders", style="bold"))
    console.print(f"Project: {project.name}", soft_wrap=True)
    console.print(f"Coders: {', '.join(coder.name for coder in report.coders)}", soft_wrap=True)
    console.print(f"Unit: {_UNIT_WORDS[report.unit]}")
    if not two_coders:
        console.print(
            f"Cohen's kappa is for two coders; with {len(report.coders)}, read Krippendorff's "
            "alpha."
        )
    if not report.codes:
        console.print("The project has no codes to compare.")
    for result in report.codes:
        console.print()
        table = Table(title=result.code.name, title_justify="left", expand=False)
        table.add_column("Source", overflow="fold", max_width=34)
        table.add_column("Units", justify="right")
        table.add_column("Agreement", justify="right")
        if two_coders:
            table.add_column("Kappa", justify="right")
        table.add_column("Alpha", justify="right")
        reasons: list[str] = []
        rows = [("All sources (pooled)", result.pooled)]
        rows += [(entry.source.name, entry.figures) for entry in result.sources]
        for label, figures in rows:
            cells = [label, f"{figures.units:,}", _percent(figures.percent_agreement)]
            if two_coders:
                cells.append(_coefficient(figures.cohen_kappa))
            cells.append(_coefficient(figures.krippendorff_alpha))
            table.add_row(*cells)
            shown_missing = figures.krippendorff_alpha is None or (
                two_coders and figures.cohen_kappa is None
            )
            if shown_missing and figures.reason and figures.reason not in reasons:
                reasons.append(figures.reason)
        console.print(table)
        for reason in reasons:
            console.print(f"Not defined: {reason}", soft_wrap=False)


def _percent(share: float | None) -> str:
    return "not defined" if share is None else f"{share * 100:.1f}%"


def _coefficient(value: float | None) -> str:
    from imheval.stats.apa import format_number

    return "not defined" if value is None else format_number(value, 2, bounded=True)
