"""The bank as it will be once a new version of a built-in becomes current: for tests that show
that whatever was pinned to the old version keeps asking and scoring the old questions.

:func:`swap_current` makes a "2.0.0" of a built-in instrument the bank's current version and
keeps the real one as an earlier version, as ``bank/versions/`` will hold it. The new version
asks different questions under new ids (each question's id and text prefixed), so anything
scored or shown with it instead of the old one is plain to see.
"""

from __future__ import annotations

import pytest

from imheval.instruments import Instrument, bank

NEW_VERSION = "2.0.0"
#: Put before every question's text in the new version.
NEW_TEXT = "New version: "


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
