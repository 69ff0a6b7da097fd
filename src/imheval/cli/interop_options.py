"""The options that say how to read another system's export (``--from``, ``--structure``,
``--timepoint``, ``--events``, ``--key`` ...), defined once and shared by ``imheval convert`` and
``imheval analyse``, and their parsing (FILE=TIMEPOINT, EVENT=TIMEPOINT, FIELD=CODE)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from imheval.errors import ImhevalError

if TYPE_CHECKING:
    from imheval.interop import ResponseOptions, System

__all__ = [
    "CodeFieldOption",
    "CohortFieldOption",
    "CohortOption",
    "EventsOption",
    "FromOption",
    "KeepIncompleteOption",
    "KeyOption",
    "OptionError",
    "ReadingOptions",
    "StructureOption",
    "SystemChoice",
    "TimepointFieldOption",
    "TimepointOption",
    "reading_options",
]


class OptionError(ImhevalError, ValueError):
    """Raised when a command-line option's value cannot be read (e.g. ``--timepoint x``)."""


# ---------------------------------------------------------------------------------------------
# The options, shared with ``imheval analyse``


class SystemChoice(StrEnum):
    """The choices of ``--from``: the values of :class:`imheval.interop.System`, kept here so
    that defining the option does not import the interop package (a test checks they agree)."""

    REDCAP = "redcap"
    MSFORMS = "msforms"
    LIMESURVEY = "limesurvey"
    FHIR = "fhir"


def _named(flag: str, help: str) -> Any:
    """A text option whose value is a NAME (a field, a cohort), with no default shown."""
    return typer.Option(flag, metavar="NAME", help=help, show_default=False)


FromOption = Annotated[
    SystemChoice | None,
    typer.Option(
        "--from",
        case_sensitive=False,
        help="The system the files were exported from: redcap, msforms (Microsoft Forms), "
        "limesurvey or fhir.",
        show_default=False,
    ),
]
StructureOption = Annotated[
    Path | None,
    typer.Option(
        "--structure",
        metavar="FILE",
        help="The questions: a REDCap data dictionary (CSV) or instrument ZIP, a LimeSurvey "
        ".lss, or a FHIR Questionnaire (JSON). Not for Microsoft Forms, whose questions are "
        "worked out from the downloads.",
        show_default=False,
    ),
]
TimepointOption = Annotated[
    list[str] | None,
    typer.Option(
        "--timepoint",
        metavar="FILE=TIMEPOINT",
        help="FILE=TIMEPOINT: every response in FILE (one of the SOURCE files) is at that "
        "timepoint (pre, post or followup), e.g. --timepoint before.xlsx=pre. Repeat per file.",
        show_default=False,
    ),
]
EventsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--events",
        metavar="EVENT=TIMEPOINT|FILE",
        help="EVENT=TIMEPOINT: a REDCap event (its unique name, e.g. baseline_arm_1), or an "
        "answer of the timepoint question or a FHIR tag, and the timepoint it is; repeat for "
        "each. Or a CSV file of two columns (event, timepoint). Default: event names that begin "
        "with pre, post, follow-up or baseline are read as such.",
        show_default=False,
    ),
]
CodeFieldOption = Annotated[
    str | None,
    _named(
        "--code-field",
        "The field (column, question, linkId) holding the self-generated code. Default: "
        "the one text field whose name contains 'code' (the REDCap record id only where there "
        "is none and one record holds every event).",
    ),
]
CohortFieldOption = Annotated[
    str | None,
    _named("--cohort-field", "The field holding the cohort. Default: a field named 'cohort'."),
]
CohortOption = Annotated[
    str | None,
    _named("--cohort", "The cohort of every response, when the export has no cohort field."),
]
TimepointFieldOption = Annotated[
    str | None,
    _named(
        "--timepoint-field",
        "A question (Forms, LimeSurvey, REDCap) or item linkId (FHIR) whose answer is the "
        "timepoint; its answers are read as pre/post/followup, or through --events.",
    ),
]
KeyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--key",
        metavar="FIELD=CODE",
        help="FIELD=CODE: the right answer of a choice question the source does not score "
        "(the conversion report lists them); CODE is an option's code or its text. Repeat "
        "--key for a question with more than one right answer. A questionnaire that scores "
        "nothing (no calc fields, assessment values, ordinal values or quiz points) is read "
        "once at least one question has its key.",
        show_default=False,
    ),
]
KeepIncompleteOption = Annotated[
    bool,
    typer.Option(
        "--keep-incomplete",
        help="Keep responses the source marks incomplete (REDCap form status not Complete, "
        "LimeSurvey no submit date, FHIR status not completed); they are left out by default.",
    ),
]


@dataclass(frozen=True)
class ReadingOptions:
    """How to read another system's export: the shared options, parsed."""

    system: System
    structure: Path | None
    options: ResponseOptions
    keys: dict[str, list[str]]


def reading_options(
    sources: Sequence[Path],
    system: SystemChoice | System,
    structure: Path | None,
    timepoints: Sequence[str],
    events: Sequence[str],
    code_field: str | None,
    cohort_field: str | None,
    cohort: str | None,
    timepoint_field: str | None,
    keys: Sequence[str],
    keep_incomplete: bool,
) -> ReadingOptions:
    """The options parsed and checked: OptionError naming the option and what it expects."""
    from imheval.interop import ResponseOptions, System

    return ReadingOptions(
        system=System(system),
        structure=structure,
        options=ResponseOptions(
            timepoints=_file_timepoints(timepoints, sources),
            events=_events(events),
            code_field=_blank_none(code_field),
            cohort_field=_blank_none(cohort_field),
            cohort=_blank_none(cohort),
            timepoint_field=_blank_none(timepoint_field),
            keep_incomplete=keep_incomplete,
        ),
        keys=_keys(keys),
    )


def _blank_none(value: str | None) -> str | None:
    if value is None:
        return None
    return value.strip() or None


def _pair(option: str, text: str, expected: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise OptionError(f"{option} {text!r}: expected {expected}")
    return name.strip(), value.strip()


def _timepoint(option: str, text: str, value: str) -> str:
    from imheval.interop.common import timepoint_word

    timepoint = timepoint_word(value)
    if timepoint is None:
        raise OptionError(
            f"{option} {text!r}: '{value}' is not a timepoint; use pre, post or followup"
        )
    return timepoint


def _file_timepoints(specs: Sequence[str], sources: Sequence[Path]) -> dict[str, str]:
    from imheval.interop.common import fold

    names = {fold(path.name): path.name for path in sources}
    timepoints: dict[str, str] = {}
    for spec in specs:
        file, value = _pair("--timepoint", spec, "FILE=TIMEPOINT, e.g. --timepoint pre.xlsx=pre")
        name = names.get(fold(Path(file).name))
        if name is None:
            raise OptionError(
                f"--timepoint {spec!r}: '{file}' is not one of the files to convert ("
                + ", ".join(path.name for path in sources)
                + ")"
            )
        timepoints[name] = _timepoint("--timepoint", spec, value)
    return timepoints


def _events(specs: Sequence[str]) -> dict[str, str]:
    events: dict[str, str] = {}
    for spec in specs:
        if "=" in spec:
            event, value = _pair("--events", spec, "EVENT=TIMEPOINT, e.g. pre_arm_1=pre")
            events[event] = _timepoint("--events", spec, value)
            continue
        path = Path(spec)
        if not path.exists():
            raise OptionError(
                f"--events {spec!r}: expected EVENT=TIMEPOINT (e.g. pre_arm_1=pre) or a CSV "
                "file of events and timepoints, and there is no such file"
            )
        from imheval.interop import SourceFile
        from imheval.interop.redcap.records import read_event_mapping

        for event, value in read_event_mapping(SourceFile.read(path)).items():
            events[event] = _timepoint("--events", f"{spec}: {event}", value)
    return events


def _keys(specs: Sequence[str]) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for spec in specs:
        field, code = _pair("--key", spec, "FIELD=CODE, e.g. --key k7=2")
        keys.setdefault(field, []).append(code)
    return keys
