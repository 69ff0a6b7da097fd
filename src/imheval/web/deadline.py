"""A bound on every request's time: a gunicorn worker whose request runs too long is replaced.

gunicorn's ``timeout`` does not bound a request under the threaded (gthread) workers imheval
runs: the worker's main thread tells the arbiter it is alive every second whatever its request
threads are doing, so a request that takes minutes is never stopped (a 149 s import was not).
Python cannot stop a thread from outside, so the bound is on the process: each worker keeps the
start of every request it is running (:class:`RequestWatchdog`, fed by gunicorn's
``pre_request`` and ``post_request`` hooks), and a watchdog thread checks every second. When a
request has run longer than :data:`REQUEST_TIME_LIMIT`, the worker logs it (method and path,
no client address), stops taking requests (SIGTERM: gunicorn's graceful stop lets the other
requests in flight finish within ``graceful_timeout``), and exits at the end of that grace
whatever is still running; the arbiter starts a fresh worker. The slow request's client gets
an error (a 502 from the proxy), which is the point: long work belongs in a background task.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

#: The longest a request may run, in seconds, before its worker is replaced.
REQUEST_TIME_LIMIT = 60
#: How long a worker stopping for an overdue request lets its other requests finish.
GRACE = 10


class RequestWatchdog:
    """The requests one worker process is running, and which of them are overdue.

    ``clock`` gives the time in seconds (monotonic); ``stop`` is called once, with a plain
    description of the overdue request, when :meth:`check` first finds one.
    """

    def __init__(
        self,
        stop: Callable[[str], None],
        limit: float = REQUEST_TIME_LIMIT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self._stop = stop
        self._clock = clock
        self._running: dict[int, tuple[float, str]] = {}
        self._lock = threading.Lock()
        self.stopping = False

    def started(self, key: int, description: str) -> None:
        """Request ``key`` (its thread's id) started now."""
        with self._lock:
            self._running[key] = (self._clock(), description)

    def finished(self, key: int) -> None:
        with self._lock:
            self._running.pop(key, None)

    def overdue(self) -> list[tuple[str, float]]:
        """(description, seconds running) of each request older than the limit."""
        now = self._clock()
        with self._lock:
            return [
                (description, now - since)
                for since, description in self._running.values()
                if now - since > self.limit
            ]

    def check(self) -> bool:
        """Stop the worker if a request is overdue (once); whether it is stopping."""
        if self.stopping:
            return True
        late = self.overdue()
        if late:
            self.stopping = True
            description, seconds = max(late, key=lambda item: item[1])
            self._stop(f"{description} ran {seconds:.0f} s (the limit is {self.limit:.0f} s)")
        return self.stopping


def _stop_this_worker(grace: float) -> Callable[[str], None]:
    def stop(reason: str) -> None:
        logger.critical("request over the time limit: %s; replacing this worker", reason)
        os.kill(os.getpid(), signal.SIGTERM)  # gunicorn's graceful stop of this worker
        timer = threading.Timer(grace + 1, os._exit, args=(70,))  # then whatever still runs
        timer.daemon = True
        timer.start()

    return stop


def gunicorn_hooks(limit: float = REQUEST_TIME_LIMIT, grace: int = GRACE) -> dict[str, Any]:
    """The gunicorn settings that install the watchdog in every worker."""

    def post_worker_init(worker: Any) -> None:
        watchdog = RequestWatchdog(_stop_this_worker(grace), limit)
        worker.imheval_watchdog = watchdog

        def watch() -> None:
            while not watchdog.check():
                time.sleep(1)

        threading.Thread(target=watch, name="imheval request watchdog", daemon=True).start()

    def pre_request(worker: Any, request: Any) -> None:
        watchdog = getattr(worker, "imheval_watchdog", None)
        if watchdog is not None:
            watchdog.started(threading.get_ident(), f"{request.method} {request.path}")

    def post_request(worker: Any, request: Any, environ: Any, response: Any) -> None:
        watchdog = getattr(worker, "imheval_watchdog", None)
        if watchdog is not None:
            watchdog.finished(threading.get_ident())

    return {
        "post_worker_init": post_worker_init,
        "pre_request": pre_request,
        "post_request": post_request,
    }
