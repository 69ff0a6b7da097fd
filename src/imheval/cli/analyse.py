"""``imheval analyse`` and ``imheval export-demo``."""

from __future__ import annotations

import gc
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from imheval.cli.convert import print_summary, run_conversion, show_progress
from imheval.cli.interop_options import (
    CodeFieldOption,
    CohortFieldOption,
    CohortOption,
    EventsOption,
    FromOption,
    KeepIncompleteOption,
    KeyOption,
    ReadingOptions,
    StructureOption,
    TimepointFieldOption,
    TimepointOption,
    reading_options,
)
from imheval.cli.services import ServiceDataOption, TrainedOption, load_services
from imheval.cli.shell import app, console, err_console, run_safely, write_json
from imheval.errors import AnalysisError

if TYPE_CHECKING:
    from imheval.evaluation import Evaluation, EvaluationOptions
    from imheval.instruments import Instrument
    from imheval.io.table import ResponseTable

# The library is imported inside the command, and only the parts it uses: the analysis needs
# the evaluation, never the report stack (matplotlib, Jinja2, WeasyPrint, python-docx), the
# interop package or the web app unless --report or --from asks for them.

#: The report formats, by file extension (as :data:`imheval.reports.FORMATS`; a test checks).
REPORT_FORMATS = (".html", ".htm", ".pdf", ".docx")

#: Files above this size get a progress bar (smaller ones finish before it would be seen).
PROGRESS_THRESHOLD_BYTES = 1_000_000


class MissingChoice(StrEnum):
    seed = "seed"
    complete_case = "complete_case"
    prorated = "prorated"


@app.command(
    help=(
        "Score, match and analyse pre/post (and follow-up) questionnaire data.\n\n"
        "DATA is a CSV or XLSX file in tidy layout (one row per participant per timepoint) or "
        "wide layout (pre_/post_ prefixed columns); see docs/data-format.md. With --instrument "
        "the item answers are scored; without it, every numeric column that is not reserved is "
        "taken as an already-scored domain total.\n\n"
        "Example: imheval analyse responses.xlsx --instrument imh-core --json evaluation.json\n\n"
        "Example: imheval analyse responses.xlsx -i imh-core --report report.docx\n\n"
        "Example: imheval analyse old-responses.csv -i imh-core@1.0.0 (data collected with an "
        "earlier version of a built-in instrument, scored with that version's questions)\n\n"
        "With --from, DATA is instead an export of REDCap, Microsoft Forms, LimeSurvey or "
        "FHIR (one file, or one per timepoint), converted as 'imheval convert' converts it and "
        "then analysed exactly as a file in imheval's own layout; the same options say how to "
        "read it, and -i names the imheval instrument the data were captured with when there "
        "is no --structure.\n\n"
        "Example: imheval analyse --demo\n\n"
        "Example: imheval analyse records.csv --from redcap --structure dictionary.csv "
        "--events pre_arm_1=pre --events post_arm_1=post --report report.html\n\n"
        "Example: imheval analyse responses.xlsx -i imh-core --service-data services.csv "
        "--trained 2025-09 --report report.html (level 4 service data in the report)"
    )
)
def analyse(
    data: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="DATA",
            help="Responses file (.csv or .xlsx). Omit with --demo. With --from: the exported "
            "file(s).",
            show_default=False,
        ),
    ] = None,
    instrument: Annotated[
        list[str] | None,
        typer.Option(
            "--instrument",
            "-i",
            help="Instrument to score with: a built-in id (see 'imheval instruments list'), "
            "which is the bank's current version, a built-in at a version, e.g. "
            "imh-core@1.0.0, or a YAML file. Repeat for several forms, "
            "e.g. -i imh-core -i imh-advanced-knowledge.",
            show_default=False,
        ),
    ] = None,
    json_path: Annotated[
        Path | None,
        typer.Option("--json", help="Write the full evaluation as JSON to this file."),
    ] = None,
    report: Annotated[
        list[Path] | None,
        typer.Option(
            "--report",
            help="Write a report for a board or commissioner; the extension picks the format: "
            ".html (one self-contained file), .pdf or .docx (editable Word). Repeat for several.",
            show_default=False,
        ),
    ] = None,
    missing: Annotated[
        MissingChoice,
        typer.Option(
            "--missing",
            help="Missing-data policy: seed (every missing or invalid answer scores 0, as in "
            "the published evaluation this tool follows), complete_case, or prorated.",
        ),
    ] = MissingChoice.seed,
    tolerant: Annotated[
        bool,
        typer.Option(
            "--tolerant",
            help="Also look for probable matches (codes one character or one part apart, same "
            "profession and directorate). They are listed for you to confirm, never merged.",
        ),
    ] = False,
    review_matches: Annotated[
        Path | None,
        typer.Option(
            "--review-matches",
            help="Write the probable matches to this CSV; put 'yes' in its accept column for "
            "those you confirm, then pass it back with --accept-matches.",
        ),
    ] = None,
    accept_matches: Annotated[
        Path | None,
        typer.Option("--accept-matches", help="CSV of probable matches you have confirmed."),
    ] = None,
    maximum: Annotated[
        list[str] | None,
        typer.Option(
            "--max",
            help="Range of an already-scored domain total, for percentages: DOMAIN=MAX "
            "(minimum 0) or DOMAIN=MIN:MAX, e.g. --max knowledge=6.",
            show_default=False,
        ),
    ] = None,
    min_group_size: Annotated[
        int,
        typer.Option(
            "--min-group-size",
            min=1,
            help="Groups smaller than this are suppressed in tables, so nobody can be identified.",
        ),
    ] = 5,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Analyse the built-in synthetic demo study."),
    ] = False,
    progress: Annotated[
        bool | None,
        typer.Option(
            "--progress/--no-progress",
            help="Show a progress bar (default: on for files over 1 MB).",
            show_default=False,
        ),
    ] = None,
    system: FromOption = None,
    structure: StructureOption = None,
    timepoint: TimepointOption = None,
    events: EventsOption = None,
    code_field: CodeFieldOption = None,
    cohort_field: CohortFieldOption = None,
    cohort: CohortOption = None,
    timepoint_field: TimepointFieldOption = None,
    key: KeyOption = None,
    keep_incomplete: KeepIncompleteOption = False,
    service_data: ServiceDataOption = None,
    trained: TrainedOption = None,
) -> None:
    # The collector's state on entry, given back when the command ends (a caller in the same
    # process, such as a test, may have it off or have frozen objects of its own).
    collecting, frozen_before = gc.isenabled(), gc.get_freeze_count()

    def body() -> None:
        # What is imported lives until the command ends: the garbage collector need not look
        # for garbage in it while it is imported, and frozen (until the command ends) it is not
        # gone through again at every full collection (the national benchmark: 0.2 s of CPU at
        # 20,000 people, 0.4 s at 200,000). Only when nothing was frozen before: unfreezing
        # at the end would otherwise unfreeze the caller's objects too.
        gc.disable()
        try:
            from imheval.cli.render import render_evaluation
            from imheval.evaluation import EvaluationOptions
            from imheval.matching import read_accepted_csv, to_review_csv
            from imheval.scoring import MissingPolicy
        finally:
            if not frozen_before:
                gc.freeze()
            if collecting:
                gc.enable()
        services = load_services(service_data, trained, min_group_size)
        for target in report or []:
            if target.suffix.lower() not in REPORT_FORMATS:
                raise AnalysisError(
                    f"--report {target}: use a file ending in .html, .htm, .pdf or .docx"
                )
        options = EvaluationOptions(
            missing_policy=MissingPolicy(missing.value),
            match_mode="tolerant" if tolerant else "exact",
            accepted_matches=tuple(read_accepted_csv(accept_matches)) if accept_matches else (),
            min_group_size=min_group_size,
            ranges=_parse_ranges(maximum or []),
        )
        if system is not None:
            if demo:
                raise AnalysisError("--demo is imheval's own data; leave out --from")
            paths = list(data or [])
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
            evaluation = _run_converted(
                paths, reading, instrument or [], options, show_progress(paths, progress)
            )
        else:
            _no_conversion_options(
                structure=structure,
                timepoint=timepoint,
                events=events,
                code_field=code_field,
                cohort_field=cohort_field,
                cohort=cohort,
                timepoint_field=timepoint_field,
                key=key,
                keep_incomplete=keep_incomplete,
            )
            path, instruments = _inputs(data or [], instrument or [], demo)
            show = (
                progress
                if progress is not None
                else (path.stat().st_size > PROGRESS_THRESHOLD_BYTES)
            )
            evaluation = _run(path, instruments, options, show)
        if services is not None:  # level 4 measured by service figures, not by a domain
            evaluation = evaluation.measured_also(services.levels())
        render_evaluation(evaluation, console)
        if review_matches is not None:
            to_review_csv(evaluation.matched, review_matches)
            err_console.print(
                f"Wrote {len(evaluation.matched.probable_matches)} probable match(es) to "
                f"{review_matches}"
            )
        if json_path is not None:
            document = evaluation.to_dict()
            if services is not None:
                document["service_data"] = services.to_dict()
            write_json(json_path, document)
            err_console.print(f"Wrote the evaluation to {json_path}")
        if report:
            from imheval.reports import build_report, write_report

            # One report model serves every format asked for, so they cannot differ.
            model = build_report(evaluation, services=services)
            for target in report:
                write_report(model, target)
                err_console.print(f"Wrote the report to {target}")

    try:
        run_safely(body)
    finally:
        if not frozen_before:
            gc.unfreeze()  # a caller in the same process (a test) collects as before


@app.command(
    "export-demo",
    help=(
        "Write the synthetic demo study (responses CSV and its instrument files) to a folder, "
        "so you can see the data format and try the commands on it.\n\n"
        "Example: imheval export-demo ./demo && imheval analyse demo/demo_study.csv "
        "-i demo/imh-core.yaml -i demo/imh-advanced-knowledge.yaml"
    ),
)
def export_demo(
    directory: Annotated[Path, typer.Argument(help="Folder to write into (created if needed).")],
) -> None:
    def body() -> None:
        from imheval.demo import write_demo

        for written in write_demo(directory):
            console.print(f"wrote {written}")

    run_safely(body)


def _no_conversion_options(**given: object) -> None:
    """Refuse the options that only --from reads, when --from is not given."""
    named = [
        "--" + name.replace("_", "-")
        for name, value in given.items()
        if value not in (None, False, [])
    ]
    if named:
        raise AnalysisError(
            f"{', '.join(named)} {'is' if len(named) == 1 else 'are'} for another system's "
            "export: say which with --from (redcap, msforms, limesurvey or fhir)"
        )


def _run_converted(
    paths: list[Path],
    reading: ReadingOptions,
    instrument_refs: list[str],
    options: EvaluationOptions,
    show: bool,
) -> Evaluation:
    """Convert another system's export in memory, then evaluate it as a native file."""
    from imheval.instruments import resolve_instrument
    from imheval.interop.output import conversion_table

    if not paths:
        raise AnalysisError(f"give the {reading.system.label} export(s) to analyse")
    if len(instrument_refs) > 1:
        raise AnalysisError(
            "with --from, give one instrument (-i): the one the data were captured with"
        )
    captured = resolve_instrument(instrument_refs[0]) if instrument_refs else None
    conversion = run_conversion(paths, reading, captured, show)
    print_summary(conversion, lambda text: err_console.print(Text(text), soft_wrap=True))
    instrument = conversion.structure.instrument
    if not instrument.items:
        raise AnalysisError(
            f"the questionnaire read from the {reading.system.label} files has no scored "
            "question, so there is nothing to analyse (see 'imheval convert' and its report)"
        )
    table = conversion_table(conversion)
    return _run_table(table, [instrument], options, show)


def _inputs(
    data: list[Path], instrument_refs: list[str], demo: bool
) -> tuple[Path, list[Instrument]]:
    from imheval.instruments import resolve_instrument

    if len(data) > 1:
        raise AnalysisError(
            "give one DATA file (several files are read only with --from, one export per timepoint)"
        )
    if demo:
        if data:
            raise AnalysisError("give either a DATA file or --demo, not both")
        from imheval.demo import DEMO_INSTRUMENT_REFS, demo_path

        # the versions the demo's answers were made for, whatever the bank's current version
        refs = instrument_refs or list(DEMO_INSTRUMENT_REFS)
        return demo_path(), [resolve_instrument(ref) for ref in refs]
    if not data:
        raise AnalysisError("give a DATA file to analyse, or --demo for the built-in demo study")
    return data[0], [_resolve(ref) for ref in instrument_refs]


def _resolve(ref: str) -> Instrument:
    """The instrument ``ref`` names, as :func:`~imheval.instruments.resolve_instrument` gives it.

    A YAML file's path is read straight away: no built-in id ends in .yaml or .yml (a test
    checks), and finding out costs reading the whole built-in bank, about 0.1 s of CPU.
    """
    from imheval.instruments import load_instrument, resolve_instrument
    from imheval.instruments.bank import VERSION_MARK
    from imheval.instruments.loader import YAML_SUFFIXES

    if VERSION_MARK not in ref and ref.lower().endswith(YAML_SUFFIXES) and Path(ref).is_file():
        return load_instrument(ref)
    return resolve_instrument(ref)


def _parse_ranges(specs: list[str]) -> dict[str, tuple[float, float]]:
    ranges: dict[str, tuple[float, float]] = {}
    for spec in specs:
        domain, sep, bounds = spec.partition("=")
        low_text, colon, high_text = bounds.partition(":")
        if not colon:
            low_text, high_text = "0", bounds
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            low = high = float("nan")
        if not sep or not domain.strip() or not low < high:
            raise AnalysisError(
                f"--max {spec!r}: expected DOMAIN=MAX or DOMAIN=MIN:MAX with MIN < MAX, "
                "e.g. --max knowledge=6"
            )
        ranges[domain.strip()] = (low, high)
    return ranges


def _run(
    path: Path, instruments: list[Instrument], options: EvaluationOptions, show: bool
) -> Evaluation:
    from imheval.evaluation import evaluate_file

    return _with_progress(
        show, lambda update: evaluate_file(path, instruments, options, progress=update)
    )


def _run_table(
    table: ResponseTable, instruments: list[Instrument], options: EvaluationOptions, show: bool
) -> Evaluation:
    from imheval.evaluation import evaluate

    return _with_progress(
        show, lambda update: evaluate(table, instruments, options, progress=update)
    )


def _with_progress(
    show: bool, work: Callable[[Callable[[str, int, int], None] | None], Evaluation]
) -> Evaluation:
    if not show:
        return work(None)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("Starting", total=1)

        def update(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=max(total, 1))

        return work(update)
