"""Every CSV file a test in tests/io reads is read both ways, pyarrow's and pandas', and the two
must agree (tests/io/fast_path_oracle.py; decision 0021).

Tests that count the reader's work (the ``work`` fixture of test_hostile_files.py) are left out:
reading twice would double what they count. Their files are read both ways in
test_csv_fast_path.py.
"""

from __future__ import annotations

import pytest
from fast_path_oracle import read_csv_both_ways

from imheval.io import _sheet


@pytest.fixture(autouse=True)
def _csv_read_both_ways(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "work" not in request.fixturenames:
        monkeypatch.setattr(_sheet, "_read_csv", read_csv_both_ways)
