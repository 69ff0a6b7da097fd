"""Where the web app keeps its files: a per-user data directory, nothing to set up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

#: Environment variable that overrides the data directory (tests, demos, deployments).
DATA_DIR_VARIABLE = "IMHEVAL_DATA_DIR"


def data_dir() -> Path:
    """The per-user data directory, created on first use.

    ``$IMHEVAL_DATA_DIR`` if set, else ``$XDG_DATA_HOME/imheval``, else
    ``~/.local/share/imheval``. It holds the SQLite database and the generated secret key.
    """
    configured = os.environ.get(DATA_DIR_VARIABLE)
    if configured:
        directory = Path(configured).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
        directory = Path(base) / "imheval"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory


def secret_key(directory: Path) -> str:
    """``$IMHEVAL_SECRET_KEY`` if set, else a random key kept (mode 600) in the data directory."""
    configured = os.environ.get("IMHEVAL_SECRET_KEY")
    if configured:
        return configured
    path = directory / "secret_key"
    if not path.exists():
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process (a second worker) made it first
            pass
        else:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(50))
    return path.read_text(encoding="ascii").strip()


def open_to_others(directory: Path) -> bool:
    """Whether every user of the machine (not only its owner and group) can list ``directory``."""
    return bool(directory.stat().st_mode & 0o007)


def check_data_dir(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Django system check: a warning when the data directory is open to other users.

    The directory holds the SQLite database (password hashes, codes, answers) and the secret
    key. Both files are created private, but a directory others can read lets them see what is
    there and read any file a tool later writes with looser permissions.
    """
    from django.conf import settings
    from django.core import checks

    directory = Path(settings.DATA_DIR)
    try:
        exposed = open_to_others(directory)
    except OSError:
        return []
    if not exposed:
        return []
    return [
        checks.Warning(
            f"The data directory {directory} can be read by other users of this machine.",
            hint=f"Make it private to the account that runs imheval: chmod 700 {directory}",
            id="imheval.W001",
        )
    ]
