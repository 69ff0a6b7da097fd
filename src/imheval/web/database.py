"""DATABASE_URL to Django's DATABASES entry: SQLite (WAL) by default, PostgreSQL in deployment."""

from __future__ import annotations

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
    """The DATABASES entry for the embedded SQLite database at ``path``."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {"init_command": SQLITE_INIT, "transaction_mode": "IMMEDIATE", "timeout": 10},
        "TEST": {"NAME": None},
    }


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
