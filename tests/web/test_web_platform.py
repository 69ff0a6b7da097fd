"""Settings, database addresses, health check, security headers and password hashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from imheval.web.database import (
    SQLITE_INIT,
    DatabaseUrlError,
    parse_database_url,
    sqlite_database,
)
from imheval.web.paths import data_dir, secret_key


def test_postgres_url_becomes_psycopg_settings_with_options() -> None:
    settings = parse_database_url(
        "postgres://eval%40trust:s3cr%3At@db.example:6543/imh?sslmode=require"
    )
    assert settings["ENGINE"] == "django.db.backends.postgresql"
    assert settings["NAME"] == "imh"
    assert settings["USER"] == "eval@trust"
    assert settings["PASSWORD"] == "s3cr:t"
    assert settings["HOST"] == "db.example"
    assert settings["PORT"] == "6543"
    assert settings["OPTIONS"] == {"sslmode": "require"}


def test_sqlite_url_uses_wal_and_immediate_transactions(tmp_path: Path) -> None:
    settings = parse_database_url(f"sqlite:///{tmp_path}/x.sqlite3")
    assert settings["NAME"] == f"{tmp_path}/x.sqlite3"
    assert settings["OPTIONS"]["init_command"] == SQLITE_INIT
    assert "journal_mode=WAL" in SQLITE_INIT
    assert settings["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://root@localhost/imh", "not supported"),
        ("postgres://u:hunter2@host/", "names no database"),
        ("sqlite:///", "needs a file path"),
    ],
)
def test_unusable_database_urls_are_refused_without_showing_the_password(
    url: str, words: str
) -> None:
    with pytest.raises(DatabaseUrlError, match=words) as raised:
        parse_database_url(url)
    assert "hunter2" not in str(raised.value)


def test_data_dir_follows_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMHEVAL_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine"
    monkeypatch.delenv("IMHEVAL_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "imheval"
    assert (tmp_path / "xdg" / "imheval").is_dir()


def test_generated_secret_key_is_kept_private_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IMHEVAL_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_file_database_really_switches_to_wal(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "w.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(sqlite_database(path)["OPTIONS"]["init_command"])
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _manage(command: list[str], data: Path) -> subprocess.CompletedProcess[str]:
    """``python -m imheval.web.manage COMMAND`` with only ``data`` as the data directory."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IMHEVAL_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env["IMHEVAL_DATA_DIR"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "imheval.web.manage", *command],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
        # the umask of most accounts: files made without care come out 644
        preexec_fn=lambda: os.umask(0o022),
    )


def test_the_database_and_its_wal_and_shm_files_are_private_in_an_open_data_dir(
    tmp_path: Path,
) -> None:
    """The attack: the SQLite file was created 644 in an existing directory, so any user of the
    machine could copy the password hashes and codes."""
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    result = _manage(["migrate", "--verbosity", "0"], data)
    assert result.returncode == 0, result.stderr
    database = data / "imheval.sqlite3"
    import sqlite3

    with sqlite3.connect(database) as connection:  # a second connection keeps the WAL in use
        connection.executescript(sqlite_database(database)["OPTIONS"]["init_command"])
        connection.execute("CREATE TABLE probe (x)")
        modes = {
            path.name: path.stat().st_mode & 0o777
            for path in data.iterdir()
            if path.name.startswith("imheval.sqlite3")
        }
    assert modes == {
        "imheval.sqlite3": 0o600,
        "imheval.sqlite3-wal": 0o600,
        "imheval.sqlite3-shm": 0o600,
    }
    assert (data / "secret_key").stat().st_mode & 0o777 == 0o600


def test_an_existing_world_readable_database_is_made_private(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite3"
    for path in (database, tmp_path / "old.sqlite3-wal", tmp_path / "old.sqlite3-shm"):
        path.write_bytes(b"")
        path.chmod(0o644)
    sqlite_database(database)
    assert {path.name: path.stat().st_mode & 0o777 for path in tmp_path.iterdir()} == {
        "old.sqlite3": 0o600,
        "old.sqlite3-wal": 0o600,
        "old.sqlite3-shm": 0o600,
    }


def test_a_data_dir_open_to_others_is_warned_about_by_check(tmp_path: Path) -> None:
    data = tmp_path / "open"
    data.mkdir()
    data.chmod(0o755)
    warned = _manage(["check"], data)
    assert warned.returncode == 0, warned.stderr
    assert "(imheval.W001) The data directory" in warned.stderr + warned.stdout
    assert f"chmod 700 {data}" in warned.stderr + warned.stdout
    data.chmod(0o700)
    quiet = _manage(["check"], data)
    assert "imheval.W001" not in quiet.stderr + quiet.stdout


def test_serve_warns_once_at_start_up_about_an_open_data_dir(
    tmp_path: Path, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from imheval.web.server import _warn_about_files

    settings.DATA_DIR = tmp_path
    tmp_path.chmod(0o750)
    _warn_about_files()
    assert capsys.readouterr().err == ""
    tmp_path.chmod(0o755)
    _warn_about_files()
    assert capsys.readouterr().err == (
        f"Warning: The data directory {tmp_path} can be read by other users of this machine. "
        f"Make it private to the account that runs imheval: chmod 700 {tmp_path}\n"
    )


def test_healthz_answers_200_with_the_database_vendor(client, db: None) -> None:  # type: ignore[no-untyped-def]
    from django.db import connection

    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": connection.vendor}
    assert "no-cache" in response["Cache-Control"]


def test_every_page_carries_security_headers(client, db: None) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/sign-in/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_real_settings_hash_passwords_with_argon2_first() -> None:
    import imheval.web.settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("a long enough password", "saltsaltsalt")
    assert encoded.startswith("argon2$argon2id$")


def _production_check(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IMHEVAL_", "DJANGO_")) and key != "DATABASE_URL"
    }
    env.update(extra_env)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "imheval.web.manage",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = _production_check({"IMHEVAL_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_local_mode_is_refused_by_check_deploy(tmp_path: Path) -> None:
    """The check is real: plain-HTTP local mode must fail it (no secure cookies, no HSTS)."""
    result = _production_check({"IMHEVAL_DATA_DIR": str(tmp_path), "IMHEVAL_MODE": "local"})
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr + result.stdout


def test_production_settings_are_secure() -> None:
    import importlib

    import imheval.web.settings as real

    previous = os.environ.get("IMHEVAL_MODE")
    os.environ["IMHEVAL_MODE"] = "production"
    try:
        production = importlib.reload(real)
        assert production.SESSION_COOKIE_SECURE is True
        assert production.CSRF_COOKIE_SECURE is True
        assert production.SECURE_SSL_REDIRECT is True
        assert production.SECURE_HSTS_SECONDS >= 31_536_000
        assert production.DEBUG is False
    finally:
        if previous is None:
            os.environ.pop("IMHEVAL_MODE")
        else:
            os.environ["IMHEVAL_MODE"] = previous
        importlib.reload(real)


def test_unknown_pages_get_a_plain_page_in_the_site_style(client, db: None) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert "nhsuk-frontend.min.css" in page


def test_an_expired_form_explains_itself(db: None) -> None:
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        "/sign-in/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    assert "Your session has expired" in response.content.decode()
