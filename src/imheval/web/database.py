"""DATABASE_URL to Django's DATABASES entry: SQLite (WAL) by default, PostgreSQL in deployment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from imheval.errors import ImhevalError


class DatabaseUrlError(ImhevalError, ValueError):
    """Raised when DATABASE_URL is not a postgres:// or sqlite:/// address imheval can use."""


#: SQLite settings for a small multi-user server: WAL lets readers run beside the one writer,
#: busy_timeout makes a writer wait instead of failing, and IMMEDIATE transactions take the write
#: lock up front so two submissions never deadlock upgrading a read lock.
SQLITE_INIT = (
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000; "
    "PRAGMA foreign_keys=ON;"
)


def sqlite_database(path: Path) -> dict[str, Any]:
    """The DATABASES entry for the embedded SQLite database at ``path``.

    The file is made private first (see :func:`make_private`), so the database SQLite opens,
    and the WAL and shared-memory files it makes beside it, are readable by their owner only.
    """
    make_private(path)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"init_command": SQLITE_INIT, "transaction_mode": "IMMEDIATE", "timeout": 10},
        "TEST": {"NAME": None},
    }


#: Files SQLite keeps beside the database in WAL mode; it creates them with the database's mode.
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Create the SQLite file ``path`` with mode 600 if missing; make it and its side files 600.

    The database holds password hashes and participants' codes and answers, and SQLite would
    create it with the process's umask (usually 644: readable by every user of the machine).
    An empty file is a valid SQLite database, so creating it here costs nothing. Files that
    cannot be changed (another owner, a missing directory) are left for the connection to
    report; the data directory's own permissions are checked at start-up
    (:func:`imheval.web.paths.check_data_dir`).
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return
    else:
        os.close(descriptor)
    for file in (path, *(path.with_name(path.name + side) for side in SQLITE_SIDE_FILES)):
        try:
            if file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except OSError:  # missing, or not ours: nothing to tighten here
            continue


def parse_database_url(url: str) -> dict[str, Any]:
    """The DATABASES entry for ``url``.

    ``postgres://user:password@host:port/name`` (or ``postgresql://``) uses psycopg 3;
    ``sqlite:///absolute/path.sqlite3`` uses SQLite with WAL. Query parameters on a PostgreSQL
    address become connection options (e.g. ``?sslmode=require``).
    """
    parts = urlsplit(url)
    if parts.scheme in {"postgres", "postgresql"}:
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise DatabaseUrlError(f"DATABASE_URL {_redacted(url)!r} names no database")
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    if parts.scheme == "sqlite":
        # sqlite:///tmp/x and sqlite:////tmp/x both mean the absolute path /tmp/x
        path = unquote(parts.path).lstrip("/")
        if not path:
            raise DatabaseUrlError("DATABASE_URL sqlite:/// needs a file path")
        return sqlite_database(Path("/" + path))
    raise DatabaseUrlError(
        f"DATABASE_URL {_redacted(url)!r} is not supported: use postgres://user@host:port/name "
        "or sqlite:///path/to/file.sqlite3"
    )


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
