"""``imheval qual import`` and ``imheval qual export``: REFI-QDA projects in and out of the web
app's database (registered on :data:`imheval.cli.qual.app`).

Django is imported inside each command, after the environment is set, as in
:mod:`imheval.cli.web`; the work itself is the web app's adapter over the core's REFI-QDA reader
and writer, so the command line and the Exchange page import and export the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from imheval.cli.qual import app
from imheval.cli.shell import console, run_safely
from imheval.errors import ImhevalError

__all__ = ["app"]

SCOPE_KINDS = {"cohort": "cohort", "programme": "programme", "group": "network_group"}


class QualCommandError(ImhevalError, ValueError):
    """Raised when ``imheval qual import`` or ``export`` is pointed at an organisation, study or
    scope that does not exist, or at a file of the wrong kind."""


def _organisation(slug: str) -> Any:
    from imheval.web.organisations.models import Organisation

    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise QualCommandError(f"no organisation has the short name {slug!r}")
    return organisation


def _scope(organisation: Any, scope: str) -> dict[str, Any]:
    """{"cohort": <Cohort>} and so on, from "cohort:12"; only the organisation's own."""
    from imheval.web.network.models import NetworkGroup
    from imheval.web.workspace.models import Cohort, Programme

    kind, _, number = scope.partition(":")
    if kind not in SCOPE_KINDS or not number.isdigit():
        raise QualCommandError(
            f"--scope {scope!r}: write cohort:ID, programme:ID or group:ID (e.g. cohort:12)"
        )
    model: Any = {"cohort": Cohort, "programme": Programme, "group": NetworkGroup}[kind]
    found = model.objects.in_organisation(organisation).filter(pk=int(number)).first()
    if found is None:
        raise QualCommandError(f"--scope {scope!r}: {organisation.name} has no {kind} {number}")
    return {SCOPE_KINDS[kind]: found}


@app.command(
    name="import",
    help=(
        "Import a REFI-QDA project (.qdpx) or codebook (.qdc) into a study of the web app.\n\n"
        "What will be lost or changed is listed first, and you are asked to go on (--yes "
        "skips the question). The import is all or nothing: a file with any problem imports "
        "nothing, and every problem is listed by element. A study that does not exist yet is "
        "made on --scope, one of the organisation's cohorts, programmes or network groups.\n\n"
        "Example: imheval qual import focus-group.qdpx --organisation northern "
        '--study "Focus groups 2026" --scope cohort:12'
    ),
)
def import_(
    file: Annotated[Path, typer.Argument(help="A REFI-QDA project (.qdpx) or codebook (.qdc).")],
    organisation: Annotated[
        str, typer.Option("--organisation", help="The organisation's short name (its slug).")
    ],
    study: Annotated[str, typer.Option("--study", help="The study's name.")],
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope",
            help="For a new study: cohort:ID, programme:ID or group:ID.",
        ),
    ] = None,
    approach: Annotated[
        str,
        typer.Option(
            "--approach", help="For a new study: reflexive (second reviewer) or codebook."
        ),
    ] = "reflexive",
    yes: Annotated[
        bool, typer.Option("--yes", help="Import without asking, after listing the losses.")
    ] = False,
) -> None:
    def body() -> None:
        from imheval.web import server

        server.prepare()
        from django.db import transaction

        from imheval.qualitative.refi import read_qdc, read_qdpx
        from imheval.web.organisations.audit import acting_as
        from imheval.web.qualitative.adapter import import_project, plan_import
        from imheval.web.qualitative.models import Approach, Study

        if approach not in Approach.values:
            raise QualCommandError(f"--approach {approach!r}: use reflexive or codebook")
        org = _organisation(organisation)
        found = Study.objects.in_organisation(org).filter(name=study).first()
        if found is None and scope is None:
            raise QualCommandError(
                f"{org.name} has no study called {study!r}: give --scope to make it"
            )
        where = _scope(org, scope) if found is None and scope is not None else {}
        if file.suffix.lower() == ".qdc":
            read = read_qdc(file)
        elif file.suffix.lower() == ".qdpx":
            read = read_qdpx(file)
        else:
            raise QualCommandError(f"{file}: give a .qdpx project or a .qdc codebook")
        with acting_as(None, "imheval qual import"), transaction.atomic():
            target = found or Study.objects.create(
                organisation=org, name=study, approach=approach, **where
            )
            plan = plan_import(target, read.project, file.name)
            changes = (*read.losses, *plan.changes)
            if not plan.problems:
                if changes:
                    console.print("What will be lost or changed:")
                    for change in changes:
                        console.print(f"  - {change}")
                else:
                    console.print("Nothing will be lost: the whole file will be kept.")
                if not yes and not typer.confirm(f"Import {file.name} into {study}?"):
                    transaction.set_rollback(True)
                    console.print("Nothing was imported.")
                    return
            summary = import_project(target, read.project, None, file=file.name)
        console.print(f"{file.name} into {study}: {summary.sentence()}")

    run_safely(body)


@app.command(
    name="export",
    help=(
        "Export a study of the web app as a REFI-QDA project (.qdpx, for NVivo, ATLAS.ti, "
        "MAXQDA or QualCoder) or its codebook (.qdc), chosen by OUT's ending.\n\n"
        "The transcripts go as stored: pseudonymised, speaker labels only.\n\n"
        'Example: imheval qual export --organisation northern --study "Focus groups 2026" '
        "focus-groups.qdpx"
    ),
)
def export(
    out: Annotated[Path, typer.Argument(help="The file to write: OUT.qdpx or OUT.qdc.")],
    organisation: Annotated[
        str, typer.Option("--organisation", help="The organisation's short name (its slug).")
    ],
    study: Annotated[str, typer.Option("--study", help="The study's name.")],
) -> None:
    def body() -> None:
        from imheval.web import server

        server.prepare()
        from imheval.qualitative.refi import write_qdc, write_qdpx
        from imheval.web.qualitative.adapter import project_for
        from imheval.web.qualitative.models import Study

        if out.suffix.lower() not in {".qdpx", ".qdc"}:
            raise QualCommandError(f"{out}: the file's name must end in .qdpx or .qdc")
        org = _organisation(organisation)
        found = Study.objects.in_organisation(org).filter(name=study).first()
        if found is None:
            raise QualCommandError(f"{org.name} has no study called {study!r}")
        project = project_for(found)
        if out.suffix.lower() == ".qdc":
            losses = write_qdc(project, out)
        else:
            losses = write_qdpx(project, out)
        for loss in losses:
            console.print(f"Not kept: {loss}")
        console.print(
            f"Wrote {out}: {len(project.sources)} sources, {len(project.codes)} codes, "
            f"{len(project.codings)} codings."
        )

    run_safely(body)
