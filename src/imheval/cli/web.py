"""The web app's commands: ``imheval demo``, ``serve``, ``worker``, ``createadmin`` and ``purge``.

Django is imported inside each command, after the environment is set, so the analysis commands
start without it.
"""

from __future__ import annotations

import getpass
import os
import re
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from imheval.cli.shell import app, console, run_safely
from imheval.errors import ImhevalError


class AccountError(ImhevalError, ValueError):
    """Raised when createadmin is given an unusable user name, password or organisation."""


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on, on this machine only.")] = 8000,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Keep the demo workspace here instead of a new temporary folder."),
    ] = None,
    worker: Annotated[
        bool,
        typer.Option(help="Start a background worker (reports, refreshes) with the server."),
    ] = True,
) -> None:
    """Start a demo workspace: the demo study, evaluator and reviewer accounts, the server running.

    Everything is made fresh in a temporary folder (or --data-dir) with its own SQLite
    database, and the server listens on this machine only (plain HTTP). The address and the
    sign-in are printed. Stop it with Ctrl+C.

    Example: imheval demo --port 8000
    """

    def body() -> None:
        folder = data_dir or Path(tempfile.mkdtemp(prefix="imheval-demo-"))
        if data_dir is not None and (data_dir / "imheval.sqlite3").exists():
            raise AccountError(f"{data_dir} already holds a workspace; give an empty folder")
        os.environ["IMHEVAL_DATA_DIR"] = str(folder)
        os.environ["IMHEVAL_MODE"] = "local"
        os.environ.pop("DATABASE_URL", None)
        from imheval.web import server

        server.check_port_free("127.0.0.1", port)
        server.prepare()
        from imheval.web.demo import load_demo
        from imheval.web.workforce.demo import REGION_SLUG as DEMO_REGION
        from imheval.web.workforce.demo import REGIONAL_LEAD

        workspace = load_demo()
        base = f"http://127.0.0.1:{port}"
        token = workspace.open_collection.token

        def announce() -> None:
            console.print(f"imheval demo workspace ({workspace.responses} responses loaded)")
            console.print(f"  Open:      {base}/o/{workspace.organisation.slug}/")
            console.print(f"  User name: {workspace.username}")
            console.print(f"  Password:  {workspace.password}")
            console.print(
                f"  Second reviewer of the focus groups' themes: {workspace.reviewer}, "
                "same password"
            )
            console.print(f"  Regional lead: {REGIONAL_LEAD}, same password")
            console.print(f"  Regional view: {base}/r/{DEMO_REGION}/")
            console.print(f"  Try the participant's questionnaire: {base}/q/{token}/")
            console.print(f"  Data kept in {folder}. Stop with Ctrl+C.")

        server.serve("127.0.0.1", port, on_ready=announce, worker=worker)

    run_safely(body)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 2,
    threads: Annotated[int, typer.Option(help="Threads per worker.", min=1)] = 4,
    local: Annotated[
        bool,
        typer.Option(
            "--local",
            help="Plain HTTP for use on this machine (no HTTPS redirect or secure cookies).",
        ),
    ] = False,
    worker: Annotated[
        bool,
        typer.Option(
            help="Start a background worker with the server (--no-worker when workers run "
            "apart, with imheval worker)."
        ),
    ] = True,
) -> None:
    """Run the web app with gunicorn, for real use.

    Settings come from the environment (docs/deployment.md): DATABASE_URL for PostgreSQL (else
    SQLite in the data folder), IMHEVAL_ALLOWED_HOSTS, IMHEVAL_BEHIND_PROXY and others. In
    production put it behind a proxy that terminates HTTPS. Migrations run before it starts.

    Example: imheval serve --host 0.0.0.0 --port 8000
    (with DATABASE_URL=postgres://imheval@db/imheval set for PostgreSQL)
    """

    def body() -> None:
        if local:
            os.environ["IMHEVAL_MODE"] = "local"
        from imheval.web import server

        server.prepare()
        console.print(f"imheval serving on http://{host}:{port}/ (Ctrl+C stops it)")
        server.serve(host, port, workers=workers, threads=threads, worker=worker)

    run_safely(body)


@app.command("worker")
def worker_command(
    batch: Annotated[
        bool, typer.Option("--batch", help="Run the tasks waiting now, then stop.")
    ] = False,
) -> None:
    """Run a background worker: report files, results refreshes, large imports, housekeeping.

    imheval serve and imheval demo start one themselves. Run more on this or other machines
    with the same environment (DATABASE_URL, IMHEVAL_DATA_DIR, IMHEVAL_SECRET_KEY) as the
    server; they share the queue kept in the database. Stop one with Ctrl+C or SIGTERM: it
    finishes the task it is running first.

    Example: imheval worker   (on another machine, with the server's DATABASE_URL set)
    """

    def body() -> None:
        from imheval.web import server

        server.prepare(migrate=False)
        from imheval.web.tasks import periodic, worker

        periodic.schedule()
        if batch:
            worker.run_pending()
        else:
            worker.run_forever()

    run_safely(body)


@app.command()
def createadmin(
    username: Annotated[str, typer.Option(help="User name for the new admin.")],
    organisation: Annotated[
        str, typer.Option(help="Organisation name; created if it does not exist.")
    ],
    superuser: Annotated[
        bool,
        typer.Option(
            "--superuser",
            help="Also allow the Django admin site (served only when IMHEVAL_ADMIN=1).",
        ),
    ] = False,
) -> None:
    """Create an organisation's admin account (and the organisation if it is new).

    The password is asked for twice and checked (at least 12 characters, not common, not all
    digits). For scripts, set IMHEVAL_ADMIN_PASSWORD instead.

    Example: imheval createadmin --username alex --organisation "Northern HSC Trust"
    """

    def body() -> None:
        from imheval.web import server

        server.prepare()
        password = os.environ.get("IMHEVAL_ADMIN_PASSWORD") or _ask_password()
        _create_admin(username, organisation, password, superuser)
        console.print(f"{username} is now an admin of {organisation}.")

    run_safely(body)


@app.command()
def purge() -> None:
    """Delete unfinished online questionnaires older than 7 days, and expired sessions.

    A questionnaire started on a phone and never submitted cannot be carried on once its
    browser session has ended (12 hours), so after IMHEVAL_CAPTURE_DRAFT_DAYS (7) days it is
    deleted. Submitted responses are never deleted. Uses the same settings as imheval serve
    (DATABASE_URL ...). Run it once a day (the background worker also does); running it twice
    is harmless.

    Example: imheval purge
    """

    def body() -> None:
        from imheval.web import server

        server.prepare()
        from imheval.web.capture.housekeeping import purge_stale

        console.print(purge_stale().summary())

    run_safely(body)


def _ask_password() -> str:
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password (again): ")
    if first != second:
        raise AccountError("the two passwords differ; nothing was created")
    return first


def _create_admin(username: str, organisation_name: str, password: str, superuser: bool) -> None:
    from django.contrib.auth import get_user_model, password_validation
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django.utils.text import slugify

    from imheval.web.organisations.models import Membership, Organisation, Role

    username = username.strip()
    name = organisation_name.strip()
    if not re.fullmatch(r"[\w.@+-]{1,150}", username):
        raise AccountError(
            f"user name {username!r}: use letters, digits and @ . + - _ only (no spaces)"
        )
    if not name:
        raise AccountError("the organisation needs a name")
    user_model = get_user_model()
    if user_model.objects.filter(username=username).exists():
        raise AccountError(f"user {username!r} already exists; nothing was changed")
    candidate = user_model(username=username)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as error:
        raise AccountError("password not accepted: " + " ".join(error.messages)) from None
    with transaction.atomic():
        org = Organisation.objects.filter(name=name).first()
        if org is None:
            slug = _free_slug(slugify(name)[:50] or "organisation")
            org = Organisation.objects.create(name=name, slug=slug)
        user = user_model.objects.create_user(
            username=username, password=password, is_staff=superuser, is_superuser=superuser
        )
        Membership.objects.create(user=user, organisation=org, role=Role.ADMIN)


def _free_slug(base: str) -> str:
    from imheval.web.organisations.models import Organisation

    slug, number = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug
