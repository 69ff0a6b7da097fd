"""Microsoft Forms downloads built in the tests (with openpyxl), the way Forms writes them.

A download is its header and rows; :func:`download` builds one from questions (each a title and
its answers, and for a quiz the points each answer scored), with Forms' metadata block headed in
one of the languages below, and :func:`xlsx` / :func:`csv_file` write it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import openpyxl

from imheval.interop.model import SourceFile

#: Forms' metadata titles per language: ID, Start, Completion, Email, Name, Last modified.
#: "xx" is a language imheval does not know (its content must be recognised instead).
METADATA = {
    "en": ("ID", "Start time", "Completion time", "Email", "Name", "Last modified time"),
    "fr": (
        "ID",
        "Heure de début",
        "Heure de fin",
        "Adresse de messagerie",
        "Nom",
        "Heure de la dernière modification",
    ),
    "es": ("Id", "Hora de inicio", "Hora de finalización", "Correo electrónico", "Nombre", ""),
    "de": ("ID", "Startzeit", "Fertigstellungszeit", "E-Mail", "Name", ""),
    "ja": ("ID", "開始時刻", "完了時刻", "メール", "名前", "最終変更時刻"),
    "xx": ("Nr", "Aloitusaika", "Valmistumisaika", "Sähköposti", "Nimi", "Muokattu viimeksi"),
}
#: Forms writes these in English even in French downloads; "xx" again unknown.
QUIZ = {
    "en": ("Total points", "Quiz feedback"),
    "fr": ("Total points", "Quiz feedback"),
    "es": ("Total points", "Quiz feedback"),
    "de": ("Total points", "Quiz feedback"),
    "ja": ("Total points", "Quiz feedback"),
    "xx": ("Pisteet yhteensä", "Tietovisan palaute"),
}
COMPANIONS = {"xx": ("Pisteet", "Palaute")}

START = dt.datetime(2025, 3, 4, 9, 12, 40)


@dataclass
class Asked:
    """A question of a built download: its title, each row's answer, and for a quiz question
    each row's points (None: the question has no points columns)."""

    title: str
    answers: Sequence[str]
    points: Sequence[float | None] | None = None
    companions: bool = False  # points/feedback columns even without points (a quiz's text)


@dataclass
class Download:
    header: list[str]
    rows: list[list[object]]
    emails: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def download(
    questions: Sequence[Asked],
    *,
    language: str = "en",
    quiz: bool | None = None,
    last_modified: bool = True,
    emails: Sequence[str] | None = None,
    names: Sequence[str] | None = None,
    totals: Sequence[float] | None = None,
    first_id: int = 1,
) -> Download:
    """A Forms download of ``questions`` (every question has as many answers as there are rows).

    A quiz (by default when a question has points) adds Total points (the sum of the points
    unless ``totals`` says otherwise) and Quiz feedback, and each question with points its
    ``Points - `` and ``Feedback - `` columns.
    """
    rows = len(questions[0].answers)
    quiz = any(q.points is not None for q in questions) if quiz is None else quiz
    meta = METADATA[language]
    header = list(meta[:5])
    if last_modified:
        header.append(meta[5] or "Last modified time")
    if quiz:
        header += list(QUIZ[language])
    points_word, feedback_word = COMPANIONS.get(language, ("Points", "Feedback"))
    for question in questions:
        header.append(question.title)
        if question.points is not None or question.companions:
            header += [f"{points_word} - {question.title}", f"{feedback_word} - {question.title}"]
    emails = list(emails) if emails is not None else ["anonymous"] * rows
    names = list(names) if names is not None else [""] * rows
    table: list[list[object]] = []
    for row in range(rows):
        start = START + dt.timedelta(minutes=7 * row)
        cells: list[object] = [
            first_id + row,
            start,
            start + dt.timedelta(minutes=4, seconds=row),
            emails[row],
            names[row],
        ]
        if last_modified:
            cells.append(None)
        if quiz:
            earned = [q.points[row] or 0 for q in questions if q.points is not None]
            cells += [totals[row] if totals is not None else sum(earned), None]
        for question in questions:
            cells.append(question.answers[row] or None)
            if question.points is not None:
                cells += [question.points[row], None]
            elif question.companions:
                cells += [None, None]
        table.append(cells)
    return Download(header=header, rows=table, emails=emails, names=names)


def xlsx(built: Download, name: str = "IMH quiz(1-3).xlsx") -> SourceFile:
    """The download as Forms' Excel file (sheet ``Sheet1``)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(built.header)
    for row in built.rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SourceFile(name=name, data=buffer.getvalue())


def csv_file(
    built: Download,
    name: str = "IMH quiz.csv",
    *,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
    dates: str = "%m/%d/%y %H:%M:%S",
) -> SourceFile:
    """The download as Excel saves it as CSV (dates as text in ``dates``' form)."""
    text = io.StringIO()
    writer = csv.writer(text, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(built.header)
    for row in built.rows:
        writer.writerow(
            [
                value.strftime(dates)
                if isinstance(value, dt.datetime)
                else (
                    "" if value is None else (f"{value:g}" if isinstance(value, float) else value)
                )
                for value in row
            ]
        )
    return SourceFile(name=name, data=text.getvalue().encode(encoding))


def workbook_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """An .xlsx file holding ``rows`` in its first sheet (none: an empty sheet)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
