"""Meeting calendars: a recurrence rule's dates, the meetings to add, and an .ics file.

A network group meets on a pattern such as "the first Thursday of every month", which an
iCalendar recurrence rule (RFC 5545, section 3.3.10) says exactly: ``FREQ=MONTHLY;BYDAY=1TH``.
:class:`MeetingSeries` checks such a rule and says in plain words what is wrong with a bad one;
:meth:`MeetingSeries.dates_between` expands it within a window (always a window, so a rule with
no end is fine); :func:`plan_meetings` says which dates to add to the meetings a group already
has, so regenerating the series is idempotent and never brings back a meeting someone moved or
cancelled; :func:`to_ics` writes the group's meetings as one calendar file a member can import
or subscribe to; :func:`read_ics_series` reads a series back from such a file.

Expansion uses python-dateutil's ``rrule``; the checks before it exist because its own errors
("invalid literal for int() with base 10") mean nothing to a facilitator.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from dateutil import rrule as du_rrule

from imheval.errors import ImhevalError

__all__ = [
    "CalendarError",
    "CalendarMeeting",
    "IcsSeries",
    "MeetingSeries",
    "plan_meetings",
    "read_ics_series",
    "to_ics",
]

#: More meetings than this in one window is refused: a daily rule over decades is a mistake.
MAX_OCCURRENCES = 5000

_DAYS = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
_FREQS = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY")
_TOO_FINE = {"HOURLY": "hourly", "MINUTELY": "every minute", "SECONDLY": "every second"}
_PARTS = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYYEARDAY",
    "BYWEEKNO",
    "BYSETPOS",
    "WKST",
)
_TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
_BYDAY = re.compile(r"^([+-]?)(\d{1,2})?([A-Z]{2})$")
_UNTIL = re.compile(r"^\d{8}(T\d{6}Z?)?$")
_EXAMPLE = "for example FREQ=MONTHLY;BYDAY=1TH (the first Thursday of every month)"


class CalendarError(ImhevalError, ValueError):
    """Raised when a recurrence rule, a calendar window or an .ics file is not valid."""


def _integer(name: str, text: str, low: int, high: int, *, signed: bool = False) -> int:
    """One whole number of a rule part, within [low, high] (or [-high, -low] when signed)."""
    try:
        value = int(text)
    except ValueError:
        raise CalendarError(f"{name}={text} is not a whole number") from None
    ok = low <= abs(value) <= high if signed else low <= value <= high
    if not ok:
        span = f"{low} to {high} or -{high} to -{low}" if signed else f"{low} to {high}"
        raise CalendarError(f"{name}={text} is out of range: it must be {span}")
    return value


def _check_rule(text: str) -> str:
    """The rule in its plain form (upper case, no ``RRULE:`` prefix) or a plain-words error."""
    rule = text.strip().upper()
    if rule.startswith("RRULE:"):
        rule = rule[len("RRULE:") :]
    if not rule:
        raise CalendarError(f"The recurrence rule is empty; write one, {_EXAMPLE}.")
    parts: dict[str, str] = {}
    for piece in rule.split(";"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        if not sep or not name or not value:
            raise CalendarError(
                f"'{piece}' is not a rule part: each part is NAME=VALUE, separated by "
                f"semicolons, {_EXAMPLE}."
            )
        if name in _TIME_PARTS:
            raise CalendarError(
                f"{name} is not allowed: the time of day is the series' start time, so leave "
                f"{name} out."
            )
        if name not in _PARTS:
            raise CalendarError(
                f"'{name}' is not a part of a recurrence rule; the parts are {', '.join(_PARTS)}."
            )
        if name in parts:
            raise CalendarError(f"{name} is given twice; give it once.")
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise CalendarError(f"The rule has no FREQ (how often it repeats), {_EXAMPLE}.")
    if freq in _TOO_FINE:
        raise CalendarError(
            f"FREQ={freq} would make meetings {_TOO_FINE[freq]}; meetings can repeat at most "
            "daily (DAILY, WEEKLY, MONTHLY or YEARLY)."
        )
    if freq not in _FREQS:
        raise CalendarError(
            f"FREQ={freq} is not a frequency: use DAILY, WEEKLY, MONTHLY or YEARLY."
        )
    if "INTERVAL" in parts:
        _integer("INTERVAL", parts["INTERVAL"], 1, 1000)
    if "COUNT" in parts:
        _integer("COUNT", parts["COUNT"], 1, MAX_OCCURRENCES)
    if "COUNT" in parts and "UNTIL" in parts:
        raise CalendarError("A rule may end with COUNT or with UNTIL, not both; keep one.")
    if "UNTIL" in parts and not _UNTIL.match(parts["UNTIL"]):
        raise CalendarError(
            f"UNTIL={parts['UNTIL']} is not a date: write it as YYYYMMDD, e.g. UNTIL=20260731."
        )
    if "BYDAY" in parts:
        for token in parts["BYDAY"].split(","):
            _check_byday(token, freq, "BYWEEKNO" in parts)
    if "BYMONTHDAY" in parts:
        if freq == "WEEKLY":
            raise CalendarError("BYMONTHDAY cannot be used with FREQ=WEEKLY.")
        for token in parts["BYMONTHDAY"].split(","):
            _integer("BYMONTHDAY", token, 1, 31, signed=True)
    if "BYMONTH" in parts:
        for token in parts["BYMONTH"].split(","):
            _integer("BYMONTH", token, 1, 12)
    if "BYYEARDAY" in parts:
        if freq in ("DAILY", "WEEKLY", "MONTHLY"):
            raise CalendarError(f"BYYEARDAY cannot be used with FREQ={freq}.")
        for token in parts["BYYEARDAY"].split(","):
            _integer("BYYEARDAY", token, 1, 366, signed=True)
    if "BYWEEKNO" in parts:
        if freq != "YEARLY":
            raise CalendarError("BYWEEKNO can only be used with FREQ=YEARLY.")
        for token in parts["BYWEEKNO"].split(","):
            _integer("BYWEEKNO", token, 1, 53, signed=True)
    if "BYSETPOS" in parts:
        if not any(name.startswith("BY") and name != "BYSETPOS" for name in parts):
            raise CalendarError(
                "BYSETPOS picks among the dates another BY part gives, so it needs one, e.g. "
                "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1 (the last weekday)."
            )
        for token in parts["BYSETPOS"].split(","):
            _integer("BYSETPOS", token, 1, 366, signed=True)
    if "WKST" in parts and parts["WKST"] not in _DAYS:
        raise CalendarError(f"WKST={parts['WKST']} is not a day: use MO, TU, WE, TH, FR, SA or SU.")
    return ";".join(f"{name}={value}" for name, value in parts.items())


def _check_byday(token: str, freq: str, has_weekno: bool) -> None:
    match = _BYDAY.match(token)
    if match is None or match.group(3) not in _DAYS:
        raise CalendarError(
            f"BYDAY value '{token}' is not a day: use MO, TU, WE, TH, FR, SA or SU, with a "
            "number in front for the n-th in the month (1TH is the first Thursday, -1FR the "
            "last Friday)."
        )
    if match.group(2) is None:
        return
    ordinal = int(match.group(2))
    day = _DAYS[match.group(3)]
    if freq not in ("MONTHLY", "YEARLY") or has_weekno:
        raise CalendarError(
            f"BYDAY={token} numbers the {day}s, which only works with FREQ=MONTHLY or "
            f"FREQ=YEARLY; with FREQ={freq} write the day alone ({match.group(3)})."
        )
    limit = 5 if freq == "MONTHLY" else 53
    if not 1 <= ordinal <= limit:
        period = "month" if freq == "MONTHLY" else "year"
        raise CalendarError(
            f"BYDAY={token}: a {period} has no {ordinal}th {day}; use 1 to {limit} (or -1 to "
            f"-{limit} counting from the end)."
        )


@dataclass(frozen=True, slots=True)
class MeetingSeries:
    """A group's regular meetings: a recurrence rule from a first date, at a time of day.

    ``rrule`` is an iCalendar RRULE (with or without the ``RRULE:`` prefix); it is checked on
    construction (:class:`CalendarError`, in plain words, for a bad one) and kept in its plain
    form. ``first`` is the earliest date the series may give; unlike an .ics DTSTART it is not a
    meeting itself unless the rule gives it, so "the first Thursday of every month from
    1 September" starts on the first Thursday in September. A COUNT counts from ``first``.
    ``exceptions`` are dates the rule gives that are not meetings (an .ics EXDATE).

    Examples:
        >>> series = MeetingSeries("FREQ=MONTHLY;BYDAY=1TH", datetime.date(2025, 2, 1),
        ...                        datetime.time(14, 0))
        >>> [d.isoformat() for d in series.dates_between(datetime.date(2025, 2, 1),
        ...                                              datetime.date(2025, 5, 2))]
        ['2025-02-06', '2025-03-06', '2025-04-03', '2025-05-01']
    """

    rrule: str
    first: datetime.date
    start_time: datetime.time
    duration_minutes: int = 90
    exceptions: tuple[datetime.date, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "rrule", _check_rule(self.rrule))
        if not 1 <= self.duration_minutes <= 24 * 60:
            raise CalendarError(
                f"A meeting of {self.duration_minutes} minutes is not possible: give 1 to "
                f"{24 * 60} minutes."
            )
        # A rule that can never give a date (BYMONTHDAY=30;BYMONTH=2) or ends before it
        # starts is refused here rather than giving an empty calendar. Eight years reach the
        # next 29 February from any date.
        horizon = self.first + datetime.timedelta(days=366 * 8 + 7)
        try:
            empty = next(self._occurrences(horizon), None) is None
        except ValueError as error:  # dateutil's own check, after ours
            raise CalendarError(
                f"The recurrence rule {self.rrule} is not valid: {error}."
            ) from None
        if empty:
            raise CalendarError(
                f"The rule {self.rrule} gives no date on or after {self.first:%d %B %Y}: "
                "check its days and months, and that it does not end before it starts."
            )

    def _occurrences(self, end_exclusive: datetime.date) -> Iterator[datetime.date]:
        """The rule's dates from ``first`` to before ``end_exclusive``, exceptions included.

        dateutil is always given an end (the window's, or UNTIL's day if sooner): without one,
        a rule that never matches (30 February) would search to the year 9999. COUNT is
        applied here, counting from ``first`` as RFC 5545 does (exceptions still count).
        """
        parts = dict(piece.split("=", 1) for piece in self.rrule.split(";"))
        count = int(parts.pop("COUNT")) if "COUNT" in parts else None
        last = end_exclusive - datetime.timedelta(days=1)
        if "UNTIL" in parts:
            until = parts.pop("UNTIL")
            last = min(last, datetime.date(int(until[:4]), int(until[4:6]), int(until[6:8])))
        if last < self.first:
            return
        start = datetime.datetime.combine(self.first, self.start_time.replace(tzinfo=None))
        parsed = du_rrule.rrulestr(
            ";".join(f"{name}={value}" for name, value in parts.items()), dtstart=start
        )
        if not isinstance(parsed, du_rrule.rrule):  # one RRULE line never parses to a set
            raise CalendarError(f"the rule {self.rrule!r} is not a single recurrence rule")
        rule = parsed.replace(until=datetime.datetime.combine(last, datetime.time.max))
        for index, moment in enumerate(rule):
            if count is not None and index >= count:
                return
            yield moment.date()

    def dates_between(
        self, start: datetime.date, end_exclusive: datetime.date
    ) -> list[datetime.date]:
        """The meeting dates on or after ``start`` and before ``end_exclusive``, in order.

        An UNTIL date is the last day a meeting may fall on (whatever the time in it).
        Raises :class:`CalendarError` when the window is empty or backwards, or holds more than
        :data:`MAX_OCCURRENCES` meetings.
        """
        if end_exclusive <= start:
            raise CalendarError(
                f"The window {start:%d %B %Y} to {end_exclusive:%d %B %Y} is empty: its end "
                "must come after its start."
            )
        skip = set(self.exceptions)
        found: list[datetime.date] = []
        for day in self._occurrences(end_exclusive):
            if day < start or day in skip:
                continue
            found.append(day)
            if len(found) > MAX_OCCURRENCES:
                raise CalendarError(
                    f"The rule {self.rrule} gives more than {MAX_OCCURRENCES:,} meetings between "
                    f"{start:%d %B %Y} and {end_exclusive:%d %B %Y}; choose a shorter window."
                )
        return found


def plan_meetings(
    series: MeetingSeries,
    window: tuple[datetime.date, datetime.date],
    existing: Iterable[datetime.date | None],
) -> list[datetime.date]:
    """The series dates in ``window`` (start, end exclusive) that have no meeting yet.

    ``existing`` holds the ``series_date`` of every meeting the group already has from the rule
    (None for a one-off, ignored). A meeting someone moved keeps its series date, and a
    cancelled one is still a row, so neither is added again: running this twice adds nothing
    the second time.
    """
    made = {day for day in existing if day is not None}
    return [day for day in series.dates_between(*window) if day not in made]


@dataclass(frozen=True, slots=True)
class CalendarMeeting:
    """One meeting as a calendar shows it. ``key`` makes its UID (the web passes the pk)."""

    key: str
    date: datetime.date
    start_time: datetime.time
    duration_minutes: int = 90
    topic: str = ""
    description: str = ""
    cancelled: bool = False


# Europe/London and Europe/Dublin have kept the EU summer-time rules since 1996; a VTIMEZONE
# that states those rules is exact for every meeting a group will have.
_EU_RULES = (
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:{summer}",
    "DTSTART:19810329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19961027T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
)
_VTIMEZONES = {"Europe/London": "BST", "Europe/Dublin": "IST"}


def _escape(text: str) -> str:
    """TEXT escaped per RFC 5545 3.3.11: backslash, semicolon, comma and new lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """One content line folded so no physical line exceeds 75 octets (RFC 5545 3.1).

    Continuation lines start with a space, which counts towards their 75; a character's
    UTF-8 bytes are never split.
    """
    pieces: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(current)
            current = " "
            size = 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if rest or not hours:
        text += f"{rest}M"
    return text


def to_ics(
    group_name: str,
    meetings: Sequence[CalendarMeeting],
    tz: str = "Europe/London",
    uid_domain: str = "imheval.local",
    stamp: datetime.datetime | None = None,
) -> str:
    """One iCalendar file (RFC 5545) of a group's meetings, for download or subscription.

    One VEVENT per meeting, with a stable UID (``network-meeting-<key>@<uid_domain>``), so a
    subscriber's calendar updates a meeting rather than adding it twice; a cancelled meeting
    stays in the file with STATUS:CANCELLED so calendars drop it. Times are local to ``tz``:
    Europe/London and Europe/Dublin are written with a TZID and their VTIMEZONE; any other zone
    the system knows is written in UTC, converted meeting by meeting. SUMMARY is the group's
    name and the topic. Lines end in CRLF and are folded at 75 octets; text is escaped.
    ``stamp`` (DTSTAMP, in UTC) defaults to now. Raises :class:`CalendarError` for an unknown
    time zone.
    """
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise CalendarError(f"'{tz}' is not a time zone this system knows.") from None
    moment = stamp or datetime.datetime.now(datetime.UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    dtstamp = moment.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//imheval//network groups//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(group_name)}",
    ]
    if tz in _VTIMEZONES:
        lines += ["BEGIN:VTIMEZONE", f"TZID:{tz}"]
        lines += [line.format(summer=_VTIMEZONES[tz]) for line in _EU_RULES]
        lines.append("END:VTIMEZONE")
    for meeting in sorted(meetings, key=lambda m: (m.date, m.start_time, m.key)):
        local = datetime.datetime.combine(meeting.date, meeting.start_time.replace(tzinfo=None))
        if tz in _VTIMEZONES:
            dtstart = f"DTSTART;TZID={tz}:{local:%Y%m%dT%H%M%S}"
        else:
            utc = local.replace(tzinfo=zone).astimezone(datetime.UTC)
            dtstart = f"DTSTART:{utc:%Y%m%dT%H%M%S}Z"
        summary = f"{group_name}: {meeting.topic}" if meeting.topic else group_name
        lines += [
            "BEGIN:VEVENT",
            f"UID:network-meeting-{_escape(meeting.key)}@{uid_domain}",
            f"DTSTAMP:{dtstamp}",
            dtstart,
            f"DURATION:{_duration(meeting.duration_minutes)}",
            f"SUMMARY:{_escape(summary)}",
        ]
        if meeting.description:
            lines.append(f"DESCRIPTION:{_escape(meeting.description)}")
        lines.append("STATUS:CANCELLED" if meeting.cancelled else "STATUS:CONFIRMED")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


@dataclass(frozen=True, slots=True)
class IcsSeries:
    """A meeting series read from an .ics VEVENT: the series, its title and its time zone
    (the DTSTART's TZID; "UTC" for a time ending in Z; "" for a floating time or a date)."""

    series: MeetingSeries
    summary: str
    tzid: str


def _unfold(text: str) -> list[tuple[int, str]]:
    """Content lines with the number of the physical line each starts on."""
    lines: list[tuple[int, str]] = []
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if raw[:1] in (" ", "\t") and lines:
            start, previous = lines[-1]
            lines[-1] = (start, previous + raw[1:])
        elif raw.strip():
            lines.append((number, raw))
    return lines


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


_ICS_DURATION = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def _ics_moment(value: str) -> tuple[datetime.date, datetime.time | None, bool]:
    """A DATE or DATE-TIME value: its date, its time (None for a DATE), whether it is UTC."""
    match = re.match(r"^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$", value)
    if match is None:
        raise ValueError(value)
    day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match.group(4) is None:
        return day, None, False
    time = datetime.time(int(match.group(4)), int(match.group(5)), int(match.group(6)))
    return day, time, match.group(7) == "Z"


def read_ics_series(text: str, source_name: str) -> IcsSeries:
    """The first repeating VEVENT of an .ics file as a :class:`MeetingSeries`.

    Reads DTSTART (its date is the series' first date, its time the start time; as in
    :class:`MeetingSeries`, it is a meeting only when the rule gives it), RRULE,
    DURATION (or DTEND; 90 minutes when neither is given), EXDATE (any number of lines, each
    with one or more dates) and SUMMARY. Raises :class:`CalendarError` naming the file and line
    when there is no repeating event or a value cannot be read.
    """
    lines = _unfold(text)
    in_event = False
    found: dict[str, tuple[int, str, str]] = {}
    exdates: list[tuple[int, str]] = []
    for number, line in lines:
        upper = line.upper()
        if upper == "BEGIN:VEVENT":
            in_event, found, exdates = True, {}, []
            continue
        if upper == "END:VEVENT":
            if "RRULE" in found:
                return _series_from(found, exdates, source_name)
            in_event = False
            continue
        if not in_event:
            continue
        head, sep, value = line.partition(":")
        if not sep:
            raise CalendarError(f"{source_name}, line {number}: '{line}' has no ':'.")
        name, *params = head.split(";")
        name = name.upper()
        tzid = next(
            (p.split("=", 1)[1].strip('"') for p in params if p.upper().startswith("TZID=")), ""
        )
        if name == "EXDATE":
            exdates += [(number, v) for v in value.split(",")]
        elif name in ("DTSTART", "DTEND", "RRULE", "DURATION", "SUMMARY") and name not in found:
            found[name] = (number, value.strip(), tzid)
    raise CalendarError(
        f"{source_name}: no repeating event (a VEVENT with an RRULE) was found in the file."
    )


def _series_from(
    found: dict[str, tuple[int, str, str]], exdates: list[tuple[int, str]], source_name: str
) -> IcsSeries:
    if "DTSTART" not in found:
        raise CalendarError(f"{source_name}: the repeating event has no DTSTART (first date).")
    number, value, tzid = found["DTSTART"]
    try:
        first, start, utc = _ics_moment(value)
    except ValueError:
        raise CalendarError(
            f"{source_name}, line {number}: DTSTART '{value}' is not a date (YYYYMMDD) or a "
            "date and time (YYYYMMDDTHHMMSS)."
        ) from None
    start_time = start or datetime.time(0, 0)
    minutes = 90
    if "DURATION" in found:
        number, value, _ = found["DURATION"]
        match = _ICS_DURATION.match(value.upper())
        if match is None or not any(match.groups()):
            raise CalendarError(
                f"{source_name}, line {number}: DURATION '{value}' is not a duration such as "
                "PT1H30M."
            )
        weeks, days, hours, mins, secs = (int(g or 0) for g in match.groups())
        minutes = ((weeks * 7 + days) * 24 + hours) * 60 + mins + secs // 60
    elif "DTEND" in found:
        number, value, _ = found["DTEND"]
        try:
            end_day, end_time, _ = _ics_moment(value)
        except ValueError:
            raise CalendarError(
                f"{source_name}, line {number}: DTEND '{value}' is not a date and time."
            ) from None
        span = datetime.datetime.combine(
            end_day, end_time or datetime.time(0, 0)
        ) - datetime.datetime.combine(first, start_time)
        minutes = int(span.total_seconds() // 60)
    skipped: list[datetime.date] = []
    for number, value in exdates:
        try:
            skipped.append(_ics_moment(value.strip())[0])
        except ValueError:
            raise CalendarError(
                f"{source_name}, line {number}: EXDATE '{value}' is not a date."
            ) from None
    number, rule, _ = found["RRULE"]
    try:
        series = MeetingSeries(rule, first, start_time, minutes, tuple(sorted(skipped)))
    except CalendarError as error:
        raise CalendarError(f"{source_name}, line {number}: {error}") from None
    summary = _unescape(found["SUMMARY"][1]) if "SUMMARY" in found else ""
    return IcsSeries(series=series, summary=summary, tzid="UTC" if utc else tzid)
