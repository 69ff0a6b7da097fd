"""Where the files in other systems' formats live: ``../shared/fixtures/`` beside the checkout.

They are read in place, never copied into the repository (their README says so). The folder is
found, in order: ``IMHEVAL_SHARED_FIXTURES``; ``shared/fixtures`` beside the checkout (a clone at
/work/main reads /work/shared/fixtures); the development machines' /work/shared/fixtures, for a
clone made elsewhere (CI's clean clone may sit in a temporary folder). A test that needs a file
and finds no folder fails, naming the places it looked; it never skips.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]


def _candidates() -> list[Path]:
    configured = os.environ.get("IMHEVAL_SHARED_FIXTURES")
    places = [Path(configured)] if configured else []
    places.append(CHECKOUT.parent / "shared" / "fixtures")
    places.append(Path("/work/shared/fixtures"))
    return places


def shared_fixtures_folder() -> Path | None:
    """The first of the places above that exists, for a test that reads every file in it (None
    when there is none: such a test then finds too few files and fails)."""
    return next((folder for folder in _candidates() if folder.is_dir()), None)


def shared_fixture(*parts: str) -> Path:
    """The path of a shared fixture file, e.g. ``shared_fixture("network", "x.ics")``."""
    for folder in _candidates():
        path = folder.joinpath(*parts)
        if path.is_file():
            return path
    looked = ", ".join(str(folder) for folder in _candidates())
    pytest.fail(f"the shared fixture {'/'.join(parts)} was not found in: {looked}")
