"""Start the web app under gunicorn, imheval's production HTTP server.

``prepare()`` configures Django from the environment and brings the database up to date;
``serve()`` then runs gunicorn in this process (workers fork from it), with a background worker
(``imheval worker``) as a child process that stops with it. Both are called by the ``imheval
serve`` and ``imheval demo`` commands. Every request is bounded in time (see
:mod:`imheval.web.deadline`).
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from imheval.errors import ImhevalError

#: Access log without the client's address: imheval keeps no IP addresses, not even in logs.
ACCESS_LOG_FORMAT = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


class ServerError(ImhevalError, RuntimeError):
    """Raised when the server cannot start (port in use, front-end files missing, ...)."""


def prepare(*, migrate: bool = True) -> None:
    """Set up Django from the environment and apply database migrations."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imheval.web.settings")
    import django
    from django.core.management import call_command

    django.setup()
    _warn_about_files()
    if migrate:
        call_command("migrate", interactive=False, verbosity=0)


def _warn_about_files() -> None:
    """Print, once at start-up, the security checks' warnings (a data directory open to all)."""
    import sys

    from django.core import checks

    for message in checks.run_checks(tags=[checks.Tags.security]):
        print(f"Warning: {message.msg} {message.hint or ''}".rstrip(), file=sys.stderr)


def check_port_free(host: str, port: int) -> None:
    """Raise ServerError with a plain message if ``host:port`` cannot be listened on."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise ServerError(
                f"cannot listen on {host}:{port} ({error.strerror}); choose another with --port"
            ) from None


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from imheval.web.wsgi import application

        warm_up()
        return application


def warm_up() -> None:
    """Work out a small summary (the demo study's) once, before gunicorn forks its workers.

    A results page's first visit computes the core's summary and draws its chart. In a new
    process that first imports the chart library and the statistics' modules and finds
    matplotlib's fonts: about 0.8 s of processor on the 2-core machine, more than the demo's
    whole cold page. Done here, in the process gunicorn forks its workers from
    (``preload_app``), every worker starts with them (and shares their memory). Never stops
    the server: should it fail, the first page simply pays instead.
    """
    try:
        from imheval import evaluate, read_responses
        from imheval.demo import demo_instruments, demo_path
        from imheval.reports import build_report
        from imheval.reports.sections.summary import summary_section

        instruments = demo_instruments()
        questions = [item.id for instrument in instruments for item in instrument.questions]
        table = read_responses(demo_path(), item_columns=questions)
        evaluation = evaluate(table, instruments, deeper=False)
        build_report(evaluation, title="warm-up", builders=(summary_section,))
    except Exception as error:  # a warm-up must never stop the server
        logging.getLogger(__name__).warning("Warm-up skipped: %s", error)


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """The settings gunicorn is given: gthread workers, the request time limit's hooks."""
    from imheval.web import deadline

    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "warning",
        # A worker whose main loop stops (not a slow request: see imheval.web.deadline).
        "timeout": 30,
        "graceful_timeout": deadline.GRACE,
        "preload_app": True,
        "forwarded_allow_ips": "127.0.0.1",
        **deadline.gunicorn_hooks(deadline.REQUEST_TIME_LIMIT, deadline.GRACE),
    }


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 2,
    threads: int = 4,
    on_ready: Callable[[], None] | None = None,
    worker: bool = True,
) -> None:
    """Run gunicorn on ``host:port`` until interrupted (call :func:`prepare` first), with a
    background worker as a child process unless ``worker`` is False; the worker is stopped
    (it finishes its task first) when the server stops."""
    from imheval.web import assets

    if not assets.installed():
        raise ServerError(
            "the NHS.UK frontend files are not installed; run scripts/setup (it runs npm ci "
            "and python3 -m imheval.web.assets)"
        )
    check_port_free(host, port)
    options = gunicorn_options(host, port, workers, threads)
    if on_ready is not None:
        options["when_ready"] = lambda _server: on_ready()
    from imheval.web.tasks.worker import start_worker_process

    background = start_worker_process() if worker else None
    try:
        _Gunicorn(options).run()
    finally:
        if background is not None:
            background.stop()
