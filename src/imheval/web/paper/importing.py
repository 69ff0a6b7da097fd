"""Importing a CSV or XLSX file of responses into a cohort: check, preview, confirm, undo.

The file is read by the core's reader (:func:`imheval.io.read_responses`, tidy or wide layout,
with the item ids of the cohort's questionnaires), then checked against the cohort: every row
belongs to this cohort, its timepoint has a questionnaire, its answers are answers to that
questionnaire's questions and its code has no response there yet. The whole file is checked
before it is refused: the reader's problems (:func:`imheval.io.check_responses`) and these
checks are listed together, each with its row and column, and a file with any problem imports
nothing. Columns imheval does not know are named: with other problems they are listed among
them; otherwise the preview names them and the person confirms they are to be ignored. A file
that passes is kept as parsed rows in an :class:`ImportBatch` preview (the file itself is not
kept) until the person confirms or cancels.

Large files are checked, and large previews imported, by a background worker rather than in the
web request (:mod:`imheval.web.paper.tasks`): a file whose reading parses more than
:data:`BACKGROUND_CHECK_BYTES` (:func:`checked_in_background`), a preview of more than
:data:`BACKGROUND_CONFIRM_ROWS` responses. Small ones, nearly every real
cohort, are done while the person waits, as before.
"""

from __future__ import annotations

import datetime
import re
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from imheval.errors import DataFormatError, ImhevalError, Problem
from imheval.io import Reading, check_responses, work_size
from imheval.io.reader import SINGLE_COHORT, ignored_columns_warning
from imheval.io.table import SOURCE_ROW, ResponseTable
from imheval.web.capture.codes import DIRECTORATES, IMPORTED_CODE, IMPORTED_CODE_RULE, PROFESSIONS
from imheval.web.capture.models import Source, Status, Submission
from imheval.web.organisations.audit import record_created
from imheval.web.paper.answers import AnswerRule, answer_rules
from imheval.web.paper.entry import codes_in_use
from imheval.web.paper.models import ImportBatch, ImportStatus
from imheval.web.workspace.models import Cohort, Collection, Timepoint

#: The most rows one file may hold (a cohort is tens of people; this is a generous bound).
MAX_ROWS = 20_000
#: Previews nobody confirmed are deleted after this long.
PREVIEW_LIFETIME = datetime.timedelta(days=1)
#: Files whose reading parses more than this are checked by a worker: a CSV's size, an XLSX's
#: unzipped size (:func:`imheval.io.work_size`), never the upload's size, since 512 KB of XLSX
#: can unzip to 48 MB. A 20,000-row CSV is about 1.2 MB and takes about a second to check.
BACKGROUND_CHECK_BYTES = 512 * 1024
#: Previews with more responses than this are imported by a worker (20,000 responses, each
#: saved and audited, take 10 seconds or more).
BACKGROUND_CONFIRM_ROWS = 2_000

_TIMEPOINT_LABELS = dict(Timepoint.choices)
_CODE_MAX = Submission._meta.get_field("code").max_length or 32
_TEXT_MAX = Submission._meta.get_field("profession").max_length or 100


def _safe_name(name: str) -> str:
    """The uploaded file's own name, reduced to characters safe in a file name."""
    base = Path(name).name
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(base).stem).strip(" .") or "upload"
    return stem[:120] + Path(base).suffix.lower()


def _questionnaires(
    cohort: Cohort, file: str
) -> dict[str, tuple[Collection, dict[str, AnswerRule]]]:
    """Each timepoint's collection and its items' rules; DataFormatError if there are none."""
    found = {}
    for collection in Collection.objects.filter(cohort=cohort):
        try:
            rules = answer_rules(collection.instruments(), collection.instrument_forms)
        except ImhevalError as error:
            raise DataFormatError(
                [
                    Problem(
                        file=file,
                        message=f"the {collection.get_timepoint_display().lower()} questionnaire's "
                        f"instruments cannot be loaded ({error}); fix them first",
                    )
                ]
            ) from None
        found[collection.timepoint] = (collection, {rule.item_id: rule for rule in rules})
    if not found:
        raise DataFormatError(
            [
                Problem(
                    file=file,
                    message=f"cohort {cohort.name} has no questionnaires yet: set up its pre-test, "
                    "post-test or follow-up questionnaire before importing answers to it",
                )
            ]
        )
    return found


def upload_name(upload: UploadedFile) -> str:
    """The name an uploaded file is read and reported under (safe in a file name)."""
    return _safe_name(upload.name or "upload.csv")


def checked_in_background(upload: UploadedFile) -> bool:
    """Whether ``upload`` is read by a worker: its reading parses more than
    :data:`BACKGROUND_CHECK_BYTES`. A workbook whose size cannot be measured is not a zip at
    all, and the reader refuses it as it opens the zip, before parsing anything, so it is
    refused in the request, where the person sees why at once."""
    work = work_size(upload.file, upload_name(upload))
    return work is not None and work > BACKGROUND_CHECK_BYTES


def read_file(name: str, chunks: Iterable[bytes], item_ids: list[str]) -> Reading:
    """Read and check a file's bytes with the core's reader: the rows and every problem
    (raises DataFormatError naming ``name`` only when it cannot be read as a table at all).

    The reader stops at :data:`MAX_ROWS` rows below the header, so a file claiming a million
    rows costs no more than one of the largest allowed.
    """
    with tempfile.TemporaryDirectory(prefix="imheval-import-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        return check_responses(path, item_columns=item_ids, max_rows=MAX_ROWS)


def check_upload(cohort: Cohort, upload: UploadedFile, user: Any) -> ImportBatch:
    """Read and check an uploaded file; a saved preview batch, or DataFormatError (see module)."""
    return check_file(cohort, upload_name(upload), upload.chunks(), user)


def check_file(cohort: Cohort, file: str, chunks: Iterable[bytes], user: Any) -> ImportBatch:
    """Read and check the file ``file`` (its bytes in ``chunks``); a saved preview batch, or
    DataFormatError listing every problem (see module)."""
    _forget_old_previews(cohort)
    questionnaires = _questionnaires(cohort, file)
    item_ids = list(dict.fromkeys(item for _, rules in questionnaires.values() for item in rules))
    reading = read_file(file, chunks, item_ids)
    table = reading.table
    if table.n_rows > MAX_ROWS:
        raise DataFormatError(
            [
                Problem(
                    file=file,
                    message=f"the file has {table.n_rows:,} responses; "
                    f"import at most {MAX_ROWS:,} at a time",
                )
            ]
        )
    rows, problems, notes = _check_rows(cohort, table, questionnaires, file)
    problems.extend(reading.problems)
    problems.extend(_then_problems(table, file))
    if problems:
        problems.extend(_unknown_column_problems(reading, file))
        raise DataFormatError(sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
    ignored = ignored_columns_warning(reading.unknown_columns)
    warnings = [w for w in table.warnings if SINGLE_COHORT not in w and w != ignored] + notes
    counts = Counter(row["timepoint"] for row in rows)
    return ImportBatch.objects.create(
        cohort=cohort,
        file_name=file,
        uploaded_by=user,
        layout=table.layout,
        row_count=len(rows),
        counts=dict(counts),
        warnings=warnings,
        ignored_columns=list(reading.unknown_columns),
        rows=rows,
    )


def _unknown_column_problems(reading: Reading, file: str) -> list[Problem]:
    """One problem per column imheval does not know, listed with a file's other problems."""
    return [
        Problem(
            file=file,
            row=reading.header_row,
            column=name,
            message="this column is not a question of this cohort's questionnaires, nor a "
            "column imheval reads: remove it, or leave it and confirm it is to be ignored once "
            "the file has no other problems",
        )
        for name in reading.unknown_columns
    ]


def _column(table: ResponseTable, item_id: str, timepoint: str) -> str:
    return f"{timepoint}_{item_id}" if table.layout == "wide" else item_id


def _check_rows(
    cohort: Cohort,
    table: ResponseTable,
    questionnaires: dict[str, tuple[Collection, dict[str, AnswerRule]]],
    file: str,
) -> tuple[list[dict[str, Any]], list[Problem], list[str]]:
    """The rows to import, the problems found, and notes for the preview."""
    frame = table.frame
    has_cohort = (frame["cohort"] != SINGLE_COHORT).any()
    wanted = cohort.name.strip().casefold()
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    used = {
        timepoint: codes_in_use(collection) for timepoint, (collection, _) in questionnaires.items()
    }
    other_programmes: set[str] = set()
    unlisted: Counter[str] = Counter()

    def problem(row: int, column: str | None, message: str) -> None:
        problems.append(Problem(file=file, row=row, column=column, message=message))

    for record in frame.to_dict("records"):
        row = int(record[SOURCE_ROW])
        timepoint = str(record["timepoint"])
        code = str(record["participant"])
        if not timepoint or not code or not str(record["cohort"]).strip():
            continue  # the reader has reported the empty or unknown value
        if has_cohort and str(record["cohort"]).strip().casefold() != wanted:
            problem(
                row,
                "cohort",
                f"the row is for cohort '{record['cohort']}', but this file is being imported "
                f"into cohort {cohort.name}: import each cohort's rows into that cohort",
            )
        programme = str(record["programme"]).strip()
        if programme and programme.casefold() != cohort.programme.name.strip().casefold():
            other_programmes.add(programme)
        if timepoint not in questionnaires:
            problem(
                row,
                "timepoint",
                f"cohort {cohort.name} has no {_TIMEPOINT_LABELS[timepoint].lower()} "
                "questionnaire: set it up before importing its answers",
            )
            continue
        rules = questionnaires[timepoint][1]
        if len(code) > _CODE_MAX:
            problem(row, "participant", f"the code is longer than {_CODE_MAX} characters")
        elif not IMPORTED_CODE.fullmatch(code):
            problem(row, "participant", f"the code has other characters: {IMPORTED_CODE_RULE}")
        elif code in used[timepoint]:
            problem(row, "participant", used[timepoint][code])
        for name in ("profession", "directorate"):
            value = str(record[name]).strip()
            if len(value) > _TEXT_MAX:
                problem(row, name, f"the {name} is longer than {_TEXT_MAX} characters")
            elif value and value not in (PROFESSIONS if name == "profession" else DIRECTORATES):
                unlisted[name] += 1
        answers = {}
        for item_id in table.item_columns:
            typed = str(record[item_id])
            if not typed:
                continue
            rule = rules.get(item_id)
            if rule is None:
                problem(
                    row,
                    _column(table, item_id, timepoint),
                    f"{item_id} is not a question of the {_TIMEPOINT_LABELS[timepoint].lower()} "
                    "questionnaire, so the row cannot have an answer to it",
                )
                continue
            try:
                answers[item_id] = rule.parse(typed)
            except ValueError as error:
                problem(row, _column(table, item_id, timepoint), f"{rule.name}: {error}")
        rows.append(
            {
                "row": row,
                "timepoint": timepoint,
                "code": code,
                "profession": str(record["profession"]).strip(),
                "directorate": str(record["directorate"]).strip(),
                "answers": answers,
            }
        )
    notes = []
    if not has_cohort:
        notes.append(f"The file has no cohort column: every row is imported into {cohort.name}.")
    if other_programmes:
        notes.append(
            "The programme column names "
            + ", ".join(f"'{p}'" for p in sorted(other_programmes))
            + f"; the rows are imported into {cohort.programme.name}, this cohort's programme."
        )
    for name, count in sorted(unlisted.items()):
        rows_word = "row has" if count == 1 else "rows have"
        notes.append(
            f"{count} {rows_word} a {name} that is not on imheval's list; it is kept as written."
        )
    return rows, problems, notes


def confirm(batch: ImportBatch, user: Any) -> ImportBatch:
    """Create the preview's responses (all, or none if a code was used meanwhile)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportStatus.PREVIEW:
            return locked
        collections = {c.timepoint: c for c in Collection.objects.filter(cohort=locked.cohort)}
        used = {timepoint: codes_in_use(c) for timepoint, c in collections.items()}
        problems = []
        for row in locked.rows:
            file, number = locked.file_name, row["row"]
            if row["timepoint"] not in collections:
                message = "the questionnaire for this timepoint was removed after the check"
                problems.append(Problem(file, message, row=number, column="timepoint"))
            elif row["code"] in used[row["timepoint"]]:
                message = (
                    used[row["timepoint"]][row["code"]] + " (saved after the file was checked)"
                )
                problems.append(Problem(file, message, row=number, column="participant"))
        if problems:
            raise DataFormatError(problems)
        now = timezone.now()
        # One insert for the responses and one for their log entries: on SQLite this
        # transaction holds the only write lock, so 20,000 single inserts (and their
        # audit entries) would keep every participant waiting for many seconds.
        created = Submission.objects.bulk_create(
            [
                Submission(
                    collection=collections[row["timepoint"]],
                    code=row["code"],
                    profession=row["profession"],
                    directorate=row["directorate"],
                    answers=row["answers"],
                    status=Status.COMPLETE,
                    source=Source.IMPORT,
                    entered_by=user,
                    started_at=now,
                    completed_at=now,
                )
                for row in locked.rows
            ],
            batch_size=1000,
        )
        record_created(created)
        locked.submissions.add(*created)
        locked.status = ImportStatus.IMPORTED
        locked.imported_at = now
        locked.rows = []  # the responses hold the answers now; keep no second copy
        locked.save()
    return locked


def refusal(count: int) -> str:
    """What a person is told when a file with ``count`` problems imported nothing."""
    problems = "1 problem" if count == 1 else f"{count:,} problems"
    return (
        f"The file has {problems}, so nothing was imported: correct "
        f"{'it' if count == 1 else 'them'} and upload the file again"
    )


def undo(batch: ImportBatch) -> int:
    """Delete an import and every response it created; returns how many responses went."""
    with transaction.atomic():
        responses = Submission.objects.filter(import_batches=batch)
        count = 0
        for response in responses:
            response.delete()  # one by one, so the audit log records each
            count += 1
        batch.delete()
    return count


def _forget_old_previews(cohort: Cohort) -> None:
    ImportBatch.objects.filter(
        cohort__programme__organisation=cohort.programme.organisation,
        status=ImportStatus.PREVIEW,
        created_at__lt=timezone.now() - PREVIEW_LIFETIME,
    ).delete()


def _then_problems(table: Any, file: str) -> list[Problem]:
    """A retrospective item's 'thinking back' answers (``<item>@then``) cannot be imported
    here yet: refused, naming the column, rather than left out unseen (docs/data-format.md)."""
    frame = table.frame
    return [
        Problem(
            file=file,
            column=column,
            message=(
                "'thinking back to before the training' answers cannot be imported into a "
                "cohort yet; analyse this file with 'imheval analyse' instead, or remove the "
                "column"
            ),
        )
        for column in table.then_columns
        if (frame[column].astype(str).str.strip() != "").any()
    ]
