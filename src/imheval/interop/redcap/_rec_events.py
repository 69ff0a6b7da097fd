"""REDCap events as imheval timepoints.

A longitudinal REDCap project has one row per record and event; ``redcap_event_name`` holds the
event's unique name, made by REDCap from its label and arm (``Pre training`` in arm 1 →
``pre_training_arm_1``). A labels export writes the label instead, with the arm in brackets
where the project has several (``Pre training (Arm 1: Arm 1)``).

The person says which event is which timepoint (``--events pre_arm_1=pre``, or a mapping file:
:func:`read_mapping_file`). Without that, an event whose name starts with a timepoint word
(``pre``, ``baseline``, ``before``, ``post``, ``after``, ``followup``, ``follow_up``) is taken as
that timepoint, and the import says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from imheval.errors import DataFormatError, Problem
from imheval.interop.common import fold, read_csv_rows, timepoint_word
from imheval.interop.model import SourceFile

#: How an option that maps events to timepoints is named in messages.
EVENTS_OPTION = "--events"

#: The arm REDCap adds to an event: ``_arm_1`` in a unique name, `` (Arm 1: Drug A)`` in a label.
_ARM = re.compile(r"(?:_arm_\d+|\s*\(\s*arm\s*\d+\b[^)]*\))\s*$", re.IGNORECASE)

#: Headers of a mapping file's two columns (compared after :func:`fold`, ``_`` as space).
_EVENT_HEADERS = (
    "event",
    "event name",
    "unique event name",
    "redcap event name",
    "event_name",
    "unique_event_name",
    "redcap_event_name",
)
_TIMEPOINT_HEADERS = ("timepoint", "time point", "time_point")


def without_arm(event: str) -> str:
    """The event without the arm REDCap adds to it (``pre_arm_1`` → ``pre``)."""
    return _ARM.sub("", event.strip())


def guess_timepoint(event: str) -> str | None:
    """The timepoint an event's name starts with (``baseline_arm_1`` → ``pre``,
    ``follow_up_6m_arm_1`` → ``followup``, ``Post (Arm 1: Arm 1)`` → ``post``), else None."""
    words = [word for word in re.split(r"[^a-z0-9]+", fold(event)) if word]
    if not words:
        return None
    if words[0] == "follow" and len(words) > 1 and words[1] == "up":
        return "followup"
    return timepoint_word(words[0])


def event_lookup(mapping: Mapping[str, str], event: str) -> str | None:
    """``mapping``'s timepoint for ``event``: its unique name or label as given, else the same
    without the arm (so ``pre`` in a mapping matches ``pre_arm_1`` and ``Pre (Arm 1: A)``)."""
    folded = {fold(name): value for name, value in mapping.items()}
    for candidate in (event, without_arm(event)):
        found = folded.get(fold(candidate))
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class EventTimepoints:
    """Each event seen in an export and its timepoint (None: it maps to none)."""

    timepoints: dict[str, str | None]
    guessed: bool

    @property
    def mapped(self) -> dict[str, str]:
        return {event: tp for event, tp in self.timepoints.items() if tp is not None}


def checked_events(events: Mapping[str, str]) -> tuple[dict[str, str], list[Problem]]:
    """The ``--events`` mapping with each timepoint read as a word (``Pre`` → ``pre``), and a
    problem for each value that is not a timepoint."""
    checked: dict[str, str] = {}
    problems: list[Problem] = []
    for event, value in events.items():
        timepoint = timepoint_word(value)
        if timepoint is None:
            problems.append(
                Problem(
                    file=EVENTS_OPTION,
                    message=f"'{event}={value}': '{value}' is not a timepoint; use pre, post or "
                    "followup",
                )
            )
        else:
            checked[event] = timepoint
    return checked, problems


def event_timepoints(events_seen: Iterable[str], given: Mapping[str, str]) -> EventTimepoints:
    """The timepoint of each event seen: from ``given`` (already checked) when the person gave
    a mapping, else guessed from the event's name."""
    seen = list(dict.fromkeys(events_seen))
    if given:
        return EventTimepoints({e: event_lookup(given, e) for e in seen}, guessed=False)
    return EventTimepoints({e: guess_timepoint(e) for e in seen}, guessed=True)


def read_mapping_file(source: SourceFile) -> dict[str, str]:
    """A mapping file's events and their timepoints (see :func:`.records.read_event_mapping`)."""
    table = read_csv_rows(source)
    event_at = _find(table.header, _EVENT_HEADERS)
    timepoint_at = _find(table.header, _TIMEPOINT_HEADERS)
    if event_at is None:
        raise DataFormatError(
            [
                Problem(
                    file=source.name,
                    message="there is no event column; a mapping file has two columns, "
                    f"'event' and 'timepoint' (this file's columns: {listed(table.header)})",
                )
            ]
        )
    if timepoint_at is None:
        return _designations(source, event_at, table.rows)
    mapping: dict[str, str] = {}
    first_row: dict[str, int] = {}
    problems: list[Problem] = []
    for number, cells in table.rows:
        event, value = cells[event_at].strip(), cells[timepoint_at].strip()
        if not event:
            problems.append(
                Problem(file=source.name, row=number, message="the event is blank; name it")
            )
            continue
        timepoint = timepoint_word(value)
        if timepoint is None:
            said = f"'{value}' is not a timepoint" if value else "the timepoint is blank"
            problems.append(
                Problem(
                    file=source.name,
                    row=number,
                    column=table.header[timepoint_at],
                    message=f"{said}; use pre, post or followup",
                )
            )
            continue
        known = next((e for e in mapping if fold(e) == fold(event)), None)
        if known is not None and mapping[known] != timepoint:
            problems.append(
                Problem(
                    file=source.name,
                    row=number,
                    message=f"event '{event}' is mapped to {mapping[known]} in row "
                    f"{first_row[known]} and to {timepoint} here; give it one timepoint",
                )
            )
            continue
        if known is None:
            mapping[event] = timepoint
            first_row[event] = number
    if problems:
        raise DataFormatError(problems)
    if not mapping:
        raise DataFormatError(
            [Problem(file=source.name, message="the file maps no event; add a row per event")]
        )
    return mapping


def _designations(
    source: SourceFile, event_at: int, rows: tuple[tuple[int, tuple[str, ...]], ...]
) -> dict[str, str]:
    """REDCap's own instrument-event mapping (``arm_num, unique_event_name, form``) says which
    forms each event holds, not its timepoint: the timepoints are read from the event names."""
    events = list(dict.fromkeys(cells[event_at].strip() for _, cells in rows))
    events = [event for event in events if event]
    mapping = {event: tp for event in events if (tp := guess_timepoint(event)) is not None}
    if not mapping:
        raise DataFormatError(
            [
                Problem(
                    file=source.name,
                    message="this file has no timepoint column, and none of its events' names "
                    f"starts with a timepoint word ({listed(events)}); add a 'timepoint' "
                    "column (pre, post or followup) beside the event",
                )
            ]
        )
    return mapping


def _find(header: tuple[str, ...], names: tuple[str, ...]) -> int | None:
    wanted = {fold(name.replace("_", " ")) for name in names}
    for position, title in enumerate(header):
        if fold(title.replace("_", " ")) in wanted:
            return position
    return None


def listed(names: Iterable[str], limit: int = 6) -> str:
    """Names for a message: ``a, b, c and 4 more``."""
    shown = list(names)
    if not shown:
        return "none"
    head = ", ".join(shown[:limit])
    return head + (f" and {len(shown) - limit} more" if len(shown) > limit else "")
