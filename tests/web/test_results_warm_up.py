"""The server's warm-up before forking: the first results page of each worker does not import
the chart and statistics stack, and a failed warm-up never stops the server."""

from __future__ import annotations

import logging
import sys

import pytest

from imheval.web import server


def test_warm_up_leaves_the_chart_library_imported() -> None:
    server.warm_up()
    assert "matplotlib.figure" in sys.modules
    assert "matplotlib.backends.backend_svg" in sys.modules


def test_a_failed_warm_up_is_logged_and_the_server_starts(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import imheval.demo

    def broken() -> None:
        raise OSError("the demo file is missing")

    monkeypatch.setattr(imheval.demo, "demo_path", broken)
    with caplog.at_level(logging.WARNING, logger="imheval.web.server"):
        server.warm_up()  # does not raise
    assert "Warm-up skipped: the demo file is missing" in caplog.text
