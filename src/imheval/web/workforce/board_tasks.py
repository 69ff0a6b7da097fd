"""The board pack written by a worker, as Word or PDF (:func:`imheval.reports.board_pack`).

The pack gathers the organisation's year: places (``places_data``), coverage at the year's end
or today if sooner (``adapter``), and outcomes as last computed (``outcomes``, stored rows only:
nothing is evaluated while the pack is written), with the commentary the person wrote on the
two delivery-plan actions. The same job machinery as every report: the person waits on the
job's page, which ends with the file.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.utils import timezone
from django_tasks import task

from imheval.errors import CoverageError
from imheval.reports import write_report
from imheval.reports.board_pack import board_pack
from imheval.reports.model import Report
from imheval.web.organisations.models import Organisation
from imheval.web.results.analysis import safe_file_part
from imheval.web.tasks import jobs
from imheval.web.tasks.models import Job, JobKind
from imheval.web.workforce.adapter import organisation_coverage
from imheval.web.workforce.outcomes import programme_outcomes
from imheval.web.workforce.places_data import places_rows, year_bounds
from imheval.workforce.board import DELIVERY_PLAN_ACTIONS, PlacesLine, financial_year

#: The pack's formats: (file extension, content type). A board reads Word or PDF.
PACK_FORMATS: dict[str, tuple[str, str]] = {
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": (".pdf", "application/pdf"),
}
PACK_LABELS = {"docx": "Word (.docx)", "pdf": "PDF"}
#: The longest commentary kept on one action (a few paragraphs).
MAX_COMMENTARY = 4000


def pack_date(year: int) -> datetime.date:
    """The day coverage is counted on for ``year``'s pack: the year's last day (31 March), or
    today while the year is still running."""
    _, after = year_bounds(year)
    return min(after - datetime.timedelta(days=1), timezone.localdate())


def build_pack(
    organisation: Organisation, year: int, commentary: Mapping[str, str] | None = None
) -> Report:
    """The board pack of ``organisation`` for the financial year ``year`` (2026 = 2026/27)."""
    as_of = pack_date(year)
    try:
        coverage = organisation_coverage(organisation, as_of)
    except CoverageError:
        coverage = None  # the coverage page names the problem; the pack says it is not measured
    if coverage is not None and not coverage.rows:
        coverage = None
    places = [
        PlacesLine(
            programme=row.programme,
            level=row.level,
            funder=row.funder,
            year=row.year,
            funded=row.funded,
            offered=row.offered,
            taken=row.taken,
            completed=row.completed,
            by_profession=row.by_profession,
        )
        for row in places_rows([organisation], year)
    ]
    outcomes = [row.outcome_line() for row in programme_outcomes(organisation, as_of=as_of)]
    return board_pack(
        organisation=organisation.name,
        year=year,
        coverage=coverage,
        places=places,
        outcomes=outcomes,
        commentary=commentary,
        title=f"Infant mental health training: board pack, {organisation.name}",
    )


def pack_file(
    organisation: Organisation, year: int, kind: str, commentary: Mapping[str, str] | None = None
) -> bytes:
    """The pack as a ``kind`` file (a key of :data:`PACK_FORMATS`)."""
    extension, _ = PACK_FORMATS[kind]
    report = build_pack(organisation, year, commentary)
    with tempfile.TemporaryDirectory(prefix="imheval-board-pack-") as folder:
        return write_report(report, Path(folder) / f"board-pack{extension}").read_bytes()


def start_board_pack(
    organisation: Organisation,
    year: int,
    kind: str,
    commentary: Mapping[str, str],
    user: Any,
    back_url: str,
) -> Job:
    """Queue the pack for ``user``: the job to wait on (the same pack asked for again while it
    is being written leads to the first job)."""
    params = {
        "board_pack": year,
        "format": kind,
        "commentary": {
            action: commentary.get(action, "")[:MAX_COMMENTARY] for action in DELIVERY_PLAN_ACTIONS
        },
    }
    return jobs.start_once(
        organisation,
        user,
        str(JobKind.REPORT),
        params,
        write_board_pack_task,
        title=f"Board pack ({PACK_LABELS[kind]}) for {financial_year(year)}",
        back_url=back_url,
    )


@task()
def write_board_pack_task(job_id: int) -> None:
    """The queued pack: the file kept on the job (see :func:`imheval.web.tasks.jobs.run`)."""
    jobs.run(job_id, _write)


def _write(job: Job) -> None:
    year = int(job.params["board_pack"])
    kind = job.params["format"]
    extension, content_type = PACK_FORMATS[kind]
    job.output = pack_file(job.organisation, year, kind, job.params.get("commentary") or {})
    job.content_type = content_type
    job.file_name = (
        safe_file_part(f"board pack {job.organisation.slug} {financial_year(year)}") + extension
    )
