"""Single-use links (invitations, password resets): a long random token, kept only as a digest.

The token (256 random bits) is shown once, to the admin who makes the link, and sent on by their
own means. The database keeps only its SHA-256 digest, so a copy of the database (a backup, a
leaked dump) holds no link that works.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """A fresh (token, digest): the token goes in the link, the digest in the database."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    """The SHA-256 digest (64 hex digits) under which ``token``'s link is kept."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
