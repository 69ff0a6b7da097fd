"""``imheval convert``: exports of REDCap, Microsoft Forms, LimeSurvey and FHIR in imheval's own
layout (see :func:`imheval.interop.convert`).

The options that say how to read another system's export (``--from``, ``--structure``,
``--timepoint``, ``--events``, ``--key`` ...) are defined once in :mod:`.interop_options` and
shared with ``imheval analyse``, which converts in memory and then analyses exactly as for a
native file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.text import Text

from imheval.cli.interop_options import (
    CodeFieldOption,
    CohortFieldOption,
    CohortOption,
    EventsOption,
    FromOption,
    KeepIncompleteOption,
    KeyOption,
    OptionError,
    ReadingOptions,
    StructureOption,
    TimepointFieldOption,
    TimepointOption,
    reading_options,
)
from imheval.cli.shell import app, console, err_console, run_safely
from imheval.errors import Problem

if TYPE_CHECKING:
    from imheval.instruments import Instrument
    from imheval.interop import Conversion, InstrumentImport, SourceFile

# The interop package and the instruments are imported inside the functions that use them, so
# that the command line starts without them (``imheval analyse`` of a native file never needs
# them).

#: The files a conversion writes (as :mod:`imheval.interop.output` names them; a test checks).
RESPONSES_NAME = "responses.csv"
INSTRUMENT_NAME = "instrument.yaml"
REPORT_NAME = "conversion-report.txt"

#: Sources bigger than this in all get a "working" indication (smaller ones finish before it
#: would be seen).
PROGRESS_THRESHOLD_BYTES = 1_000_000

T = TypeVar("T")


def read_sources(paths: Sequence[Path]) -> list[SourceFile]:
    """The files, read whole; every one that cannot be read is named in one error."""
    from imheval.errors import DataFormatError
    from imheval.interop import SourceFile
    from imheval.interop.common import fold

    files: list[SourceFile] = []
    problems: list[Problem] = []
    seen: dict[str, Path] = {}
    for path in paths:
        try:
            source = SourceFile.read(path)
        except DataFormatError as error:
            problems += error.problems
            continue
        earlier = seen.get(fold(source.name))
        if earlier is not None:
            problems.append(
                Problem(
                    file=str(path),
                    message=f"another file to convert has the same name ({earlier}); every "
                    "message names files by name, so rename one of them",
                )
            )
        seen[fold(source.name)] = path
        files.append(source)
    if problems:
        raise DataFormatError(problems)
    return files


def run_conversion(
    paths: Sequence[Path], reading: ReadingOptions, instrument: Instrument | None, show: bool
) -> Conversion:
    """Read the files and convert them (with a "working" indication when ``show``)."""
    from imheval.interop import SourceFile
    from imheval.interop.convert import convert

    sources = read_sources(paths)
    structure = SourceFile.read(reading.structure) if reading.structure is not None else None
    with working(f"Reading the {reading.system.label} export", show):
        return convert(
            sources,
            reading.system,
            structure=structure,
            instrument=instrument,
            options=reading.options,
            keys=reading.keys or None,
        )


def show_progress(paths: Sequence[Path], asked: bool | None) -> bool:
    """Whether to show a progress indication: as asked, else for files over 1 MB in all."""
    if asked is not None:
        return asked
    total = 0
    for path in paths:
        try:
            total += path.stat().st_size
        except OSError:
            continue  # the reading names the file
    return total > PROGRESS_THRESHOLD_BYTES


@contextmanager
def working(message: str, show: bool) -> Iterator[None]:
    """A spinner on stderr while a long step runs (nothing when ``show`` is false)."""
    if not show:
        yield
        return
    with err_console.status(message):
        yield


# ---------------------------------------------------------------------------------------------
# imheval convert


@app.command(
    "convert",
    help=(
        "Convert exports from REDCap, Microsoft Forms, LimeSurvey or FHIR into imheval's own "
        "files: OUT/responses.csv (tidy layout, docs/data-format.md), OUT/instrument.yaml (the "
        "questionnaire, docs/instruments.md) and OUT/conversion-report.txt (what was carried "
        "across, what was not, and why). Then: imheval analyse OUT/responses.csv -i "
        "OUT/instrument.yaml. Identifying columns (email, name, IP address, token) are always "
        "dropped. See docs/interoperability.md for each system's export steps.\n\n"
        "Example: imheval convert records.csv --from redcap --structure dictionary.csv "
        "--events pre_arm_1=pre --events post_arm_1=post --out converted\n\n"
        "Example: imheval convert before.xlsx after.xlsx --from msforms "
        "--timepoint before.xlsx=pre --timepoint after.xlsx=post --cohort TF1 --out converted\n\n"
        "Example: imheval convert results.csv --from limesurvey --structure survey.lss "
        "--timepoint-field TP --out converted\n\n"
        "Example: imheval convert bundle.json --from fhir --structure questionnaire.json "
        "--out converted\n\n"
        "Example: imheval convert records.csv --from redcap --structure dictionary.csv "
        "--key q1=2 --key q2=1 --out converted (a questionnaire that scores nothing: the "
        "right answer of each question)\n\n"
        "Example: imheval convert records.csv --from redcap -i imh-core --out converted "
        "(data captured with imheval's own questionnaire, sent out with 'imheval instruments "
        "export')\n\n"
        "Example: imheval convert --from redcap --structure dictionary.csv --out converted "
        "(the questionnaire only)"
    ),
)
def convert_command(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="SOURCE",
            help="The exported responses: one file, or one per timepoint. Leave out to convert "
            "the questionnaire (--structure) alone.",
            show_default=False,
        ),
    ] = None,
    system: FromOption = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Folder to write into (created if needed; its responses.csv, instrument.yaml "
            "and conversion-report.txt are replaced).",
            show_default=False,
        ),
    ] = None,
    structure: StructureOption = None,
    instrument: Annotated[
        str | None,
        typer.Option(
            "--instrument",
            "-i",
            metavar="ID_OR_YAML",
            help="The imheval instrument the data were captured with (a built-in id, id@version "
            "or a YAML file), instead of a structure file: for a questionnaire that was "
            "exported from imheval ('imheval instruments export').",
            show_default=False,
        ),
    ] = None,
    timepoint: TimepointOption = None,
    events: EventsOption = None,
    code_field: CodeFieldOption = None,
    cohort_field: CohortFieldOption = None,
    cohort: CohortOption = None,
    timepoint_field: TimepointFieldOption = None,
    key: KeyOption = None,
    keep_incomplete: KeepIncompleteOption = False,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Show that it is working (default: on for files over 1 MB).",
            show_default=False,
        ),
    ] = None,
) -> None:
    def body() -> None:
        from imheval.instruments import resolve_instrument
        from imheval.interop.output import conversion_problems, conversion_report, write_conversion

        if system is None:
            raise OptionError(
                "say which system the files come from with --from: redcap, msforms, "
                "limesurvey or fhir"
            )
        if out is None:
            raise OptionError("say where to write the converted files with --out FOLDER")
        paths = list(sources or [])
        reading = reading_options(
            paths,
            system,
            structure,
            timepoint or [],
            events or [],
            code_field,
            cohort_field,
            cohort,
            timepoint_field,
            key or [],
            keep_incomplete,
        )
        captured = resolve_instrument(instrument) if instrument else None
        if not paths:
            _convert_structure_only(reading, captured, out)
            return
        show = show_progress(paths, progress)
        conversion = run_conversion(paths, reading, captured, show)
        with working("Checking the converted responses", show):
            problems = conversion_problems(conversion)
        report = conversion_report(
            conversion,
            sources=[path.name for path in paths],
            structure=structure.name if structure else None,
            problems=problems,
            command=_analyse_command(out),
        )
        responses_path, instrument_path = write_conversion(conversion, out, report=report)
        print_summary(conversion)
        _warn_problems(problems)
        console.print(
            Text(
                f"Wrote {responses_path}, {instrument_path} and {out / REPORT_NAME}",
            ),
            soft_wrap=True,
        )
        console.print(Text(f"Next: {_analyse_command(out)}"), soft_wrap=True)

    run_safely(body)


def _convert_structure_only(
    reading: ReadingOptions, captured: Instrument | None, out: Path
) -> None:
    if reading.structure is None:
        if captured is not None:
            raise OptionError(
                "--instrument is already an imheval instrument; give the exported responses to "
                "convert (SOURCE...)"
            )
        raise OptionError(
            "give the exported responses to convert (SOURCE...), or --structure to convert "
            "the questionnaire alone"
        )
    from imheval.interop import Conversion, SourceFile
    from imheval.interop.convert import read_structure
    from imheval.interop.output import conversion_report, write_structure

    structure = read_structure(
        reading.system, SourceFile.read(reading.structure), keys=reading.keys or None
    )
    report = conversion_report(Conversion(structure, None), structure=reading.structure.name)
    path = write_structure(structure, out, report=report)
    print_structure_summary(structure)
    console.print(Text(f"Wrote {path} and {out / REPORT_NAME}"), soft_wrap=True)


def _analyse_command(out: Path) -> str:
    return f"imheval analyse {out / RESPONSES_NAME} -i {out / INSTRUMENT_NAME}"


def print_summary(conversion: Conversion, say: Callable[[str], None] | None = None) -> None:
    """The conversion in a few lines: questions carried, responses, what was dropped, left out
    and not carried (the report has the details)."""
    from imheval.interop.output import shortened

    emit = say or _say
    responses = conversion.responses
    if responses is not None:
        frame = responses.frame
        counts = [
            f"{int((frame['timepoint'] == t).sum()):,} {t}"
            for t in ("pre", "post", "followup")
            if (frame["timepoint"] == t).any()
        ]
        files = ", ".join(dict.fromkeys(name for name, _ in responses.origins))
        emit(
            f"Converted {_count(len(frame), 'response')}"
            + (f" ({', '.join(counts)})" if counts else "")
            + f" from {conversion.structure.system.label}"
            + (f": {files}" if files else "")
        )
    print_structure_summary(conversion.structure, emit)
    if responses is not None:
        if responses.dropped:
            emit("Identifying columns dropped: " + ", ".join(responses.dropped))
        if responses.left_out:
            emit(
                f"Left out: {_count(len(responses.left_out), 'response')} "
                f"(each with its reason in {REPORT_NAME})"
            )
        for note in responses.notes:
            emit(f"Note: {shortened(note)}")


def print_structure_summary(
    structure: InstrumentImport, say: Callable[[str], None] | None = None
) -> None:
    """The questionnaire carried, what was not carried, and the questions awaiting a key."""
    emit = say or _say
    instrument = structure.instrument
    scored = len(instrument.items)
    open_ = len(instrument.open_items)
    emit(
        f"Questionnaire: {instrument.id} {instrument.version}, "
        f"{_count(scored, 'scored question')}"
        + (f" and {open_} open" if open_ else "")
        + f" in {_count(len(instrument.domains), 'domain')} ("
        + ", ".join(domain.id for domain in instrument.domains)
        + ")"
    )
    if structure.omissions:
        emit(
            f"Not carried across: {_count(len(structure.omissions), 'thing')} "
            f"(listed in {REPORT_NAME})"
        )
    if structure.unkeyed:
        named = ", ".join(question.source for question in structure.unkeyed[:10])
        more = len(structure.unkeyed) - 10
        emit(
            f"Without an answer key, so left out: {named}"
            + (f" and {more} more" if more > 0 else "")
            + " (give each with --key FIELD=CODE)"
        )


def _warn_problems(problems: Sequence[Problem]) -> None:
    if not problems:
        return
    from imheval.interop.output import shortened

    err_console.print(
        Text(
            f"Warning: imheval analyse will refuse {RESPONSES_NAME} until "
            f"{'these are' if len(problems) != 1 else 'this is'} put right (also in "
            f"{REPORT_NAME}):",
            style="yellow",
        ),
        soft_wrap=True,
    )
    for problem in problems[:50]:
        err_console.print(Text(f"  - {shortened(str(problem))}"), soft_wrap=True)
    if len(problems) > 50:
        err_console.print(Text(f"  ... and {len(problems) - 50:,} more in {REPORT_NAME}"))


def _say(text: str) -> None:
    console.print(Text(text), soft_wrap=True)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
