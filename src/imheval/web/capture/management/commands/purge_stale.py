"""``manage.py purge_stale``: delete stale drafts and expired sessions (capture.housekeeping)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from imheval.web.capture.housekeeping import purge_stale


class Command(BaseCommand):
    help = (
        "Delete unfinished online questionnaires started more than IMHEVAL_CAPTURE_DRAFT_DAYS "
        "(7) days ago, and expired sessions. Example: python -m imheval.web.manage purge_stale"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(purge_stale().summary())
