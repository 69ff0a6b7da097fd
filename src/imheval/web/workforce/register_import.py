"""Importing a cohort's training register from a CSV or XLSX file: all of it, or nothing.

Columns (matched on their letters and digits, without regard to case: "Completed on" is
``completed_on``): ``person``, ``profession``, ``service``; optionally ``employer``, one column
per session, headed "session 1" ... or "s1" ..., holding yes/no, 1/0, present/absent (or blank:
not recorded), and ``completed_on``: a date there sets that person's completion by hand; blank,
their completion is decided from their attendance by the programme's rule. Other columns are
ignored.

Every row is checked before anything is saved, and every problem is listed with the file, the
row a person sees in a spreadsheet and the column. A person listed twice in the file, or
already on the register, is a problem, unless the register is replaced (everyone on it is
removed first, each removal logged). The import itself is saved with ``bulk_create`` in one
transaction and logged as one audit entry naming the file and the people added.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from imheval.errors import DataFormatError, Problem
from imheval.io.dates import parse_date
from imheval.web.organisations.access import FORM, Access
from imheval.web.organisations.models import AuditEvent
from imheval.web.paper.importing import upload_name
from imheval.web.workforce import completion
from imheval.web.workforce.access import EDIT_REGISTER, organisation_page
from imheval.web.workforce.models import SessionAttendance, Trainee
from imheval.web.workforce.register import (
    REGISTER_OBJECT,
    crumbs,
    log_event,
    register_label,
)
from imheval.web.workforce.register_forms import RegisterImportForm, person_key
from imheval.web.workspace.models import Cohort, Programme

#: The earliest completion date a file may give (anything before is a typing slip).
FIRST_COMPLETION: Final = datetime.date(1950, 1, 1)

#: The most rows a register file may have below its header (a cohort is tens of people).
MAX_ROWS: Final = 5_000
#: The most problems a page lists (the count says how many more there are).
SHOWN_PROBLEMS: Final = 200

_SESSION = re.compile(r"(?:session|s)(\d{1,4})")
_YES = frozenset({"yes", "y", "1", "1.0", "present", "p", "true", "attended", "x"})
_NO = frozenset({"no", "n", "0", "0.0", "absent", "a", "false"})


def column_key(name: str) -> str:
    """A header as matched: letters and digits only, case folded ("Session 1" is
    ``session1``, "Completed-on" is ``completedon``)."""
    return "".join(character for character in name.casefold() if character.isalnum())


@dataclass(frozen=True)
class SheetRow:
    """One non-blank row: its spreadsheet number and its cells by column key."""

    number: int
    cells: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "").strip()


class SheetReading:
    """One uploaded file's rows (blank rows left out) with the problems found in it so far.

    ``columns`` maps each header's key to the header as typed. Raises :class:`DataFormatError`
    at once when the file cannot be read, two columns share a key or a required one is
    missing; anything else is collected with :meth:`add` and raised by :meth:`check`.
    """

    def __init__(self, path: Path, file: str, required: Iterable[str], max_rows: int) -> None:
        from imheval.io._sheet import read_sheet

        self.file = file
        self.problems: list[Problem] = []
        sheet = read_sheet(path, file, max_rows=max_rows)
        keys = {position: column_key(name) for position, name in sheet.header.items()}
        self.columns: dict[str, str] = {}
        for position, name in sheet.header.items():
            key = keys[position]
            if key in self.columns:
                message = f"two columns are headed '{self.columns[key]}' and '{name}': keep one"
                raise DataFormatError([Problem(file=file, column=name, message=message)])
            if key:
                self.columns[key] = name
        missing = [name for name in required if column_key(name) not in self.columns]
        if missing:
            raise DataFormatError(
                [
                    Problem(file=file, column=name, message="this column is missing")
                    for name in missing
                ]
            )
        values = {position: list(sheet.cells[position]) for position in keys}
        rows = []
        for index, number in enumerate(sheet.rows):
            cells = {keys[p]: str(values[p][index]) for p in keys if keys[p]}
            if any(cell.strip() for cell in cells.values()):
                rows.append(SheetRow(int(number), cells))
        self.rows = tuple(rows)
        if not self.rows:
            raise DataFormatError([Problem(file=file, message="the file has a header but no rows")])

    def column(self, key: str) -> str:
        """The header as typed of column ``key`` (the key itself when there is none)."""
        return self.columns.get(key, key)

    def add(self, row: SheetRow | int | None, key: str | None, message: str) -> None:
        """A problem at ``row`` (a row or its number; None: the whole column or file)."""
        number = row.number if isinstance(row, SheetRow) else row
        self.problems.append(
            Problem(
                file=self.file,
                row=number,
                column=None if key is None else self.column(key),
                message=message,
            )
        )

    def text(self, row: SheetRow, key: str, what: str, longest: int) -> str:
        """A required text cell, its spaces tidied; a problem if it is blank or too long."""
        value = " ".join(row.get(key).split())
        if not value:
            self.add(row, key, f"the {what} is blank")
        elif len(value) > longest:
            self.add(row, key, f"the {what} is longer than {longest} characters")
            return ""
        return value

    def optional_text(self, row: SheetRow, key: str, what: str, longest: int) -> str:
        value = " ".join(row.get(key).split())
        if len(value) > longest:
            self.add(row, key, f"the {what} is longer than {longest} characters")
            return ""
        return value

    def date(self, row: SheetRow, key: str, *, required: bool) -> datetime.date | None:
        text = row.get(key)
        if not text:
            if required:
                self.add(row, key, "the date is blank")
            return None
        parsed = parse_date(text)
        if parsed is None:
            self.add(
                row, key, f"'{text[:40]}' is not a date (write it as 2026-03-31 or 31/03/2026)"
            )
            return None
        latest = timezone.localdate() + datetime.timedelta(days=366)
        if not FIRST_COMPLETION <= parsed <= latest:
            self.add(
                row,
                key,
                f"'{text[:40]}' cannot be a completion date: give a day from "
                f"{FIRST_COMPLETION.year} to a year from today",
            )
            return None
        return parsed

    def check(self) -> None:
        if self.problems:
            raise DataFormatError(self.problems)


def read_upload(upload: UploadedFile, required: Iterable[str], max_rows: int) -> SheetReading:
    """An uploaded file read into a :class:`SheetReading` (written to a private temporary
    folder under its own safe name, removed when read)."""
    name = upload_name(upload)
    with tempfile.TemporaryDirectory(prefix="imheval-workforce-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return SheetReading(path, name, required, max_rows)


# ----------------------------------------------------------------------- the register's file

REQUIRED: Final = ("person", "profession", "service")


@dataclass(frozen=True)
class RegisterRow:
    """One person of an imported register: ``marks`` maps session numbers to present (True)
    or absent (False); sessions left blank are not in it."""

    number: int
    person: str
    profession: str
    service: str
    employer: str
    marks: dict[int, bool]
    completed_on: datetime.date | None


def _mark(text: str) -> bool:
    """Present (True) or absent (False); ValueError for anything else."""
    value = text.strip().casefold()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(value)


def session_columns(reading: SheetReading, sessions: int) -> dict[str, int]:
    """{column key: session number} of the file's session columns; a problem for a session
    the programme does not have, or a session given twice."""
    found: dict[str, int] = {}
    seen: dict[int, str] = {}
    for key, name in reading.columns.items():
        match = _SESSION.fullmatch(key)
        if match is None:
            continue
        number = int(match.group(1))
        if not 1 <= number <= sessions:
            reading.add(
                None,
                key,
                f"there is no session {number}: the programme has {sessions} "
                f"{'session' if sessions == 1 else 'sessions'} (change its sessions first, or "
                "remove this column)",
            )
            continue
        if number in seen:
            reading.add(
                None, key, f"session {number} has two columns: '{seen[number]}' and '{name}'"
            )
            continue
        seen[number] = name
        found[key] = number
    return found


def read_register(reading: SheetReading, programme: Programme) -> list[RegisterRow]:
    """The rows of a register file, checked against ``programme``'s sessions; raises
    :class:`DataFormatError` listing every problem."""
    sessions = session_columns(reading, programme.sessions)
    people: dict[str, tuple[int, str]] = {}
    found = []
    for row in reading.rows:
        person = reading.text(row, "person", "person", 120)
        profession = reading.text(row, "profession", "profession", 120)
        service = reading.text(row, "service", "service", 120)
        employer = reading.optional_text(row, "employer", "employer", 200)
        marks: dict[int, bool] = {}
        for key, number in sessions.items():
            text = row.get(key)
            if not text:
                continue
            try:
                marks[number] = _mark(text)
            except ValueError:
                reading.add(
                    row,
                    key,
                    f"'{text[:40]}' is not an attendance mark: write yes or no (or 1 or 0, "
                    "present or absent), or leave it blank",
                )
        completed_on = reading.date(row, "completedon", required=False)
        if person:
            key = person_key(person)
            if key in people:
                first_row, first_person = people[key]
                reading.add(
                    row,
                    "person",
                    f"listed twice: row {first_row} has the same person ({first_person})",
                )
            else:
                people[key] = (row.number, person)
        found.append(
            RegisterRow(row.number, person, profession, service, employer, marks, completed_on)
        )
    reading.check()
    return found


@dataclass(frozen=True)
class Imported:
    """What an import saved."""

    people: int
    marks: int
    removed: int
    completed: int


def import_register(
    cohort: Cohort, programme: Programme, reading: SheetReading, *, replace: bool
) -> Imported:
    """Check the file against the register and save it, all or nothing (raises
    :class:`DataFormatError` listing every problem; nothing is saved then)."""
    rows = read_register(reading, programme)
    with transaction.atomic():
        existing = list(
            Trainee.objects.select_for_update().filter(cohort=cohort).order_by("person", "pk")
        )
        removed = [trainee.person for trainee in existing]
        if not replace:
            on_register = {person_key(trainee.person): trainee.person for trainee in existing}
            for row in rows:
                there = on_register.get(person_key(row.person))
                if there is not None:
                    reading.add(
                        row.number,
                        "person",
                        f"already on this cohort's register (as {there}): remove them from "
                        "the file, or choose to replace the register",
                    )
            reading.check()
        else:
            _remove_everyone(cohort)
        created = Trainee.objects.bulk_create(
            [
                Trainee(
                    cohort=cohort,
                    person=row.person,
                    profession=row.profession,
                    service=row.service,
                    employer=row.employer,
                    completed_on=row.completed_on,
                    completion_by_hand=row.completed_on is not None,
                )
                for row in rows
            ]
        )
        marks = [
            SessionAttendance(trainee=trainee, session=number, present=present)
            for trainee, row in zip(created, rows, strict=True)
            for number, present in sorted(row.marks.items())
        ]
        SessionAttendance.objects.bulk_create(marks)
        for trainee in created:
            trainee.cohort = cohort
        completion.settle_trainees(t for t in created if not t.completion_by_hand)
        completed = sum(1 for trainee in created if trainee.completed_on is not None)
        changes: dict[str, object] = {
            "file": reading.file,
            "people added": [trainee.person for trainee in created],
            "attendance marks": len(marks),
            "completions set by hand": sum(1 for row in rows if row.completed_on is not None),
        }
        if replace:
            changes["people removed first"] = removed
        log_event(
            programme.organisation_id,  # type: ignore[attr-defined]
            AuditEvent.Action.CREATED,
            REGISTER_OBJECT,
            cohort.pk,
            f"{register_label(cohort)}, imported",
            changes,
        )
    return Imported(len(created), len(marks), len(removed) if replace else 0, completed)


def _remove_everyone(cohort: Cohort) -> None:
    """Remove everyone on the register with their attendance, one by one so the audit log
    records each (their owners are loaded once, not per row)."""
    for mark in SessionAttendance.objects.filter(trainee__cohort=cohort).select_related(
        "trainee__cohort__programme__organisation"
    ):
        mark.delete()
    for trainee in Trainee.objects.filter(cohort=cohort).select_related(
        "cohort__programme__organisation"
    ):
        trainee.delete()


# ----------------------------------------------------------------------- the page


@organisation_page(EDIT_REGISTER, methods=FORM)
def register_import(request: HttpRequest, access: Access, cohort: Cohort) -> HttpResponse:
    """Upload a register; every problem listed, or everyone saved."""
    programme = Programme.objects.get(pk=cohort.programme_id)  # type: ignore[attr-defined]
    cohort.programme = programme
    back = reverse(
        "workforce:register", kwargs={"org": access.organisation.slug, "cohort": cohort.pk}
    )
    form = RegisterImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    problems: tuple[Problem, ...] = ()
    file_name = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        file_name = upload_name(upload)
        try:
            reading = read_upload(upload, REQUIRED, MAX_ROWS)
            done = import_register(cohort, programme, reading, replace=form.cleaned_data["replace"])
        except DataFormatError as error:
            problems = error.problems
        else:
            removed = f" {done.removed} removed first." if done.removed else ""
            messages.success(
                request,
                f"{done.people} {'person' if done.people == 1 else 'people'} imported from "
                f"{file_name}, with {done.marks} attendance marks; {done.completed} completed."
                f"{removed}",
            )
            return redirect(back)
    context = {
        "form": form,
        "cohort": cohort,
        "programme": programme,
        "problems": problems[:SHOWN_PROBLEMS],
        "hidden": max(0, len(problems) - SHOWN_PROBLEMS),
        "problem_count": len(problems),
        "file_name": file_name,
        "cancel": back,
        "crumbs": crumbs(access, cohort),
    }
    return render(
        request, "workforce/register_import.html", context, status=400 if problems else 200
    )
