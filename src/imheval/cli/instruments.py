"""``imheval instruments``: list, show, validate and export questionnaires (instruments)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from imheval.cli.shell import console, err_console, run_safely
from imheval.errors import InstrumentError

if TYPE_CHECKING:
    from imheval.instruments import Instrument, KeyedItem, RatingItem

# imheval.instruments (pydantic, YAML and the bank) is imported inside the commands, so that the
# command line starts without it.

app = typer.Typer(
    name="instruments",
    help=(
        "List, show, validate and export instruments (questionnaires): the built-in bank or your "
        "own YAML files (format: docs/instruments.md).\n\n"
        "Example: imheval instruments list"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


@app.command(
    "list",
    help=(
        "List the built-in instruments: id, version, title, training levels, and the domains "
        "with their numbers of items.\n\n"
        "Example: imheval instruments list"
    ),
)
def list_command() -> None:
    def body() -> None:
        from imheval.instruments import list_builtin

        console.print(_bank_table(list_builtin()))

    run_safely(body)


@app.command(
    "show",
    help=(
        "Show one instrument in full: its domains, scales and every item with its options, "
        "the answer key marked and reverse-keyed ratings flagged. ID_OR_FILE is a built-in id "
        "or the path of a YAML instrument file.\n\n"
        "Example: imheval instruments show imh-core"
    ),
)
def show_command(
    id_or_file: Annotated[
        str,
        typer.Argument(
            metavar="ID_OR_FILE", help="A built-in instrument id or a YAML instrument file."
        ),
    ],
) -> None:
    def body() -> None:
        from imheval.instruments import resolve_instrument

        _show(resolve_instrument(id_or_file), console)

    run_safely(body)


@app.command(
    "validate",
    help=(
        "Check an instrument file and list every problem found (file, item and what is wrong). "
        "Exit status 0 when the file is valid, 1 when it is not. A valid file is then checked "
        "for item-writing cues that let test-wise readers answer without knowing (an absolute "
        "such as 'always' only in wrong options, a pattern of key positions, the key as the "
        "longest option, a repeated stem or key, hard reading); these are printed as warnings "
        "and do not change the exit status unless --strict is given.\n\n"
        "Example: imheval instruments validate my-questionnaire.yaml --strict"
    ),
)
def validate_command(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="The YAML instrument file to check.")
    ],
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Exit with status 1 when there is item-writing advice, as well as on problems.",
        ),
    ] = False,
) -> None:
    from imheval.instruments import load_instrument
    from imheval.instruments.lint import lint_instrument

    try:
        instrument = load_instrument(file)
    except InstrumentError as error:
        count = len(error.problems)
        err_console.print(
            Text(
                f"Error: {file} is not a valid instrument ({_count(count, 'problem')}):",
                style="red",
            ),
            soft_wrap=True,
        )
        for problem in error.problems:
            err_console.print(Text(f"  - {problem}"), soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(
        Text(
            f"valid: {instrument.id} {instrument.version}, "
            f"{_count(len(instrument.domains), 'domain')}, {_items_text(instrument)}"
        )
    )
    advice = lint_instrument(instrument)
    if not advice:
        return
    console.print(
        Text(
            f"{_count(len(advice), 'warning')} (item-writing advice; docs/instruments.md, "
            "'Item-writing advice'):",
            style="yellow",
        ),
        soft_wrap=True,
    )
    for piece in advice:
        where = f"item '{piece.item}'" if piece.item else "instrument"
        console.print(Text(f"  - {where} [{piece.rule}]: {piece.message}"), soft_wrap=True)
    if strict:
        raise typer.Exit(1)


class ExportTarget(StrEnum):
    """The files ``imheval instruments export`` writes."""

    redcap = "redcap"
    redcap_zip = "redcap-zip"
    limesurvey = "limesurvey"
    fhir = "fhir"


@app.command(
    "export",
    help=(
        "Write an instrument as another system's questionnaire file, so it can be run there "
        "and scored the same way: a REDCap data dictionary (CSV, with calc fields that score "
        "it), a REDCap instrument ZIP (to add to an existing project), a LimeSurvey survey "
        "structure (.lss, with assessment values) or a FHIR R4 Questionnaire (JSON, with "
        "ordinalValue scores). A text field for the self-generated code comes first. Its "
        "exports are read back with 'imheval convert --from SYSTEM -i INSTRUMENT'. What each "
        "format cannot hold (parallel forms, wording per jurisdiction, misconceptions, "
        "competencies) stays in imheval; see docs/interoperability.md.\n\n"
        "Example: imheval instruments export imh-core --to redcap\n\n"
        "Example: imheval instruments export my-questionnaire.yaml --to fhir --out q.json"
    ),
)
def export_command(
    id_or_file: Annotated[
        str,
        typer.Argument(
            metavar="INSTRUMENT",
            help="A built-in instrument id (or id@version) or a YAML instrument file.",
        ),
    ],
    to: Annotated[
        ExportTarget,
        typer.Option(
            "--to",
            case_sensitive=False,
            help="redcap (data dictionary CSV), redcap-zip (instrument ZIP), limesurvey (.lss) "
            "or fhir (Questionnaire JSON).",
            show_default=False,
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="FILE",
            help="File to write (replaced if it exists), or a folder to write into. Default: "
            "the instrument's id and the format, e.g. imh-core-redcap-dictionary.csv, in the "
            "current folder.",
            show_default=False,
        ),
    ] = None,
) -> None:
    def body() -> None:
        from imheval.instruments import resolve_instrument
        from imheval.interop import System
        from imheval.interop.convert import export_instrument, export_instrument_zip

        instrument = resolve_instrument(id_or_file)
        if to is ExportTarget.redcap_zip:
            exported = export_instrument_zip(instrument)
        else:
            exported = export_instrument(instrument, System(to.value))
        target = out if out is not None else Path(exported.filename)
        if target.is_dir():
            target = target / exported.filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(exported.data)
        console.print(
            Text(f"Wrote {instrument.id} {instrument.version} to {target}"), soft_wrap=True
        )

    run_safely(body)


def _bank_table(instruments: list[Instrument]) -> Table:
    table = Table(title="Built-in instruments", title_justify="left", show_lines=True)
    table.add_column("ID and title", ratio=3)
    table.add_column("Version", no_wrap=True)
    table.add_column("Levels", no_wrap=True)
    table.add_column("Domains (items)", ratio=2, overflow="fold")
    for instrument in instruments:
        id_and_title = Text(instrument.id, style="bold")
        id_and_title.append(f"\n{instrument.title}")
        domains = Text(
            "\n".join(f"{d.id} ({_asked(instrument, d.id)})" for d in instrument.domains)
        )
        domains.append(f"\ntotal: {_items_text(instrument)}", style="dim")
        table.add_row(
            id_and_title,
            Text(instrument.version),
            Text("\n".join(level.value for level in instrument.levels)),
            domains,
        )
    return table


def _show(instrument: Instrument, out: Console) -> None:
    out.print(
        Text(f"{instrument.id} {instrument.version}: {instrument.title}", style="bold"),
    )
    out.print(
        Text(
            f"Levels: {', '.join(level.value for level in instrument.levels)}; "
            f"language: {instrument.language}; {_items_text(instrument)}"
        )
    )
    if instrument.description:
        out.print(Text(instrument.description))
    out.print()
    out.print(_domain_table(instrument))
    if instrument.scales:
        out.print()
        out.print(Text("Scales", style="bold"))
        for scale_id, scale in instrument.scales.items():
            labels = "; ".join(f"{value} = {label}" for value, label in scale.labels.items())
            out.print(
                Text(
                    f"  {scale_id}: {scale.min} to {scale.max}" + (f" ({labels})" if labels else "")
                )
            )
    for domain in instrument.domains:
        out.print()
        out.rule(Text(f"{domain.label} ({domain.id})"))
        for item in instrument.items_in(domain.id):
            _show_item(instrument, item, out)


def _domain_table(instrument: Instrument) -> Table:
    table = Table(title="Domains", title_justify="left")
    table.add_column("ID", no_wrap=True)
    table.add_column("Label")
    table.add_column("Items", justify="right")
    table.add_column("Score range", no_wrap=True)
    table.add_column("Kirkpatrick level", justify="right")
    for domain in instrument.domains:
        table.add_row(
            Text(domain.id),
            Text(domain.label),
            Text(_asked(instrument, domain.id)),
            Text(_range_text(instrument, domain.id)),
            # Barr's sub-level beside it when the domain is tagged: "3 (Barr 3a)".
            Text(
                f"{domain.kirkpatrick_level} (Barr {domain.barr_level})"
                if domain.barr_level
                else str(domain.kirkpatrick_level)
            ),
        )
    return table


def _per_form(values: dict[str, str], each: str) -> str:
    """One value when every form has it ("13 a form"), else each form's ("A 13, B 12")."""
    if len(set(values.values())) == 1:
        return f"{next(iter(values.values()))} {each}"
    return ", ".join(f"{form} {value}" for form, value in values.items())


def _asked(instrument: Instrument, domain: str) -> str:
    """How many questions of ``domain`` one person answers: with parallel forms, per form."""
    if not instrument.forms:
        return str(len(instrument.items_in(domain)))
    counts = {f: str(len(instrument.items_in(domain, f))) for f in instrument.form_ids}
    return _per_form(counts, "a form")


def _items_text(instrument: Instrument) -> str:
    """'20 items', or with parallel forms '38 items a form (2 forms, 66 in all)'."""
    if not instrument.forms:
        return _count(len(instrument.items), "item")
    counts = {f: str(len(instrument.form_items(f))) for f in instrument.form_ids}
    forms = f"{len(counts)} forms, {len(instrument.items)} in all"
    return f"{_per_form(counts, 'items a form')} ({forms})"


def _range_text(instrument: Instrument, domain: str) -> str:
    """A domain's score range: with parallel forms each form's (one person answers one form)."""
    forms = instrument.form_ids or (None,)
    ranges = {
        str(f): " to ".join(_number(v) for v in instrument.domain_range(domain, f)) for f in forms
    }
    if not instrument.forms:
        return ranges["None"]
    return _per_form(ranges, "on each form")


def _show_item(instrument: Instrument, item: KeyedItem | RatingItem, out: Console) -> None:
    from imheval.instruments import KeyedItem

    heading = Text(item.id, style="bold")
    if item.concept:
        heading.append(f"  concept: {item.concept}", style="dim")
    out.print(heading)
    out.print(Padding(Text(item.text), (0, 0, 0, 2), expand=False))
    details = Table.grid(padding=(0, 1))
    details.add_column(no_wrap=True)
    details.add_column()
    if isinstance(item, KeyedItem):
        for code, label in item.options.items():
            if code in item.key:
                details.add_row(
                    Text(f"{code})", style="bold green"),
                    Text(f"{label}  (key)", style="bold green"),
                )
            else:
                details.add_row(Text(f"{code})"), Text(label))
        if item.points != 1:
            details.add_row(Text(""), Text(f"scores {_number(item.points)} points when correct"))
    else:
        scale = instrument.scales[item.scale]
        details.add_row(Text("scale:"), Text(f"{item.scale}, {scale.min} to {scale.max}"))
        if item.reverse:
            details.add_row(
                Text("REVERSE KEYED", style="bold yellow"),
                Text(f"scored as {scale.min + scale.max} - answer", style="bold yellow"),
            )
    out.print(Padding(details, (0, 0, 0, 4), expand=False))


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
