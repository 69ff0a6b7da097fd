"""The committed demo fixtures (tests/interop/data/demo/) are exactly what
make_demo_fixtures.py writes now: every file, byte for byte, and no file it no longer writes."""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

DEMO = Path(__file__).resolve().parent / "data" / "demo"


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_demo_fixtures", DEMO / "make_demo_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: openpyxl stamps each workbook with the time it was written (core.xml's created and modified,
#: and each zip member's date): those alone are set aside when workbooks are compared.
_STAMPED = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _content(path: Path) -> bytes:
    """The file's bytes; a workbook's, member by member without the times it was written."""
    data = path.read_bytes()
    if path.suffix != ".xlsx":
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        parts = [
            name.encode() + b"\0" + _STAMPED.sub(rb"\1\2", book.read(name))
            for name in book.namelist()
        ]
    return b"\0\0".join(parts)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): _content(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and path.name != "make_demo_fixtures.py"
        and "__pycache__" not in path.parts
    }


def test_the_committed_demo_fixtures_are_what_the_script_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    maker = _maker()
    monkeypatch.setattr(maker, "HERE", tmp_path)
    instrument = maker.demo_instrument()
    rows = maker.demo_rows()
    maker.write(tmp_path / "imh-demo.yaml", maker.instrument_to_yaml(instrument))
    for make in (maker.redcap, maker.limesurvey, maker.fhir, maker.msforms):
        make(instrument, rows)  # every writer: nothing skipped
    written, committed = _files(tmp_path), _files(DEMO)
    assert sorted(written) == sorted(committed)
    assert len(written) >= 10
    differ = [name for name in written if written[name] != committed[name]]
    assert differ == []
