"""A simulated change of the bank's current version: for tests that show that whatever was
pinned to the old version keeps asking and scoring the old questions.

:func:`rewind` puts the bank back as it was before version 2 became current (every built-in's
1.0.0 current, no later version), and :func:`swap_current` then makes a made-up "2.0.0" of a
built-in the bank's current version and keeps the one it replaces as an earlier version, as
``bank/versions/`` holds it. The made-up version asks different questions under new ids (each
question's id and text prefixed), so anything scored or shown with it instead of the old one is
plain to see (the real 2.0.0 shares the old one's domains but not its forms or scales, which
would test other things).
"""

from __future__ import annotations

import pytest

from imheval.instruments import Instrument, bank

NEW_VERSION = "2.0.0"
#: Put before every question's text in the new version.
NEW_TEXT = "New version: "
#: The version :func:`rewind` makes current.
OLD_VERSION = "1.0.0"


def rewind(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every built-in's ``OLD_VERSION`` the bank's current version, with no later one."""
    versions = {key: i for key, i in bank._versions().items() if key[1] == OLD_VERSION}
    current = {instrument_id: i for (instrument_id, _), i in sorted(versions.items())}
    monkeypatch.setattr(bank, "_bank", lambda: current)
    monkeypatch.setattr(bank, "_versions", lambda: versions)


def swap_current(monkeypatch: pytest.MonkeyPatch, instrument_id: str = "imh-core") -> Instrument:
    """Make a different ``NEW_VERSION`` of ``instrument_id`` the bank's current version (the
    real current version stays as an earlier one); returns the new version."""
    current = dict(bank._bank())
    versions = dict(bank._versions())
    old = current[instrument_id]
    new = old.model_copy(
        update={
            "version": NEW_VERSION,
            "title": f"{old.title}, version 2",
            "items": [
                item.model_copy(update={"id": f"N{item.id}", "text": NEW_TEXT + item.text})
                for item in old.items
            ],
        },
        deep=True,
    )
    current[instrument_id] = new
    versions[(instrument_id, NEW_VERSION)] = new
    monkeypatch.setattr(bank, "_bank", lambda: current)
    monkeypatch.setattr(bank, "_versions", lambda: versions)
    return new
