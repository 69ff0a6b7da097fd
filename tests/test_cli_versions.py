"""The command line and the demo name built-in instruments by version: ``-i imh-core@1.0.0``
scores data collected with that version, and the demo keeps scoring its answers with the
versions they were made for when the bank's current version changes (simulated on the bank as
it was before version 2 by ``bank_swap.rewind`` and ``bank_swap.swap_current``), as it does with
the real version 2 current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bank_swap import NEW_VERSION, rewind, swap_current
from typer.testing import CliRunner

from imheval.cli import app
from imheval.demo import DEMO_INSTRUMENT_REFS, demo_instruments, demo_path, write_demo
from imheval.errors import UnknownInstrumentError
from imheval.instruments import get_builtin, load_instrument

runner = CliRunner()
#: The evaluation's creation time differs between two runs; nothing else may.
MADE_AT = "created"


def _evaluation(args: list[str], out: Path) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    return {key: value for key, value in document.items() if key != MADE_AT}


def test_analyse_scores_with_a_built_in_named_at_a_version(tmp_path: Path) -> None:
    by_version = _evaluation(
        [
            "analyse",
            str(demo_path()),
            "-i",
            "imh-core@1.0.0",
            "-i",
            "imh-advanced-knowledge@1.0.0",
        ],
        tmp_path / "versioned.json",
    )
    demo = _evaluation(["analyse", "--demo"], tmp_path / "demo.json")
    # the bank's current versions are 2.0.0; the demo keeps the 1.0.0 its answers were made for
    assert [get_builtin(i).version for i in ("imh-core", "imh-advanced-knowledge")] == [
        "2.0.0",
        "2.0.0",
    ]
    assert by_version["tests"] == demo["tests"]
    assert len(by_version["tests"]) > 10  # type: ignore[arg-type]


def test_analyse_names_the_versions_there_are_for_an_unknown_version(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyse", str(demo_path()), "-i", "imh-core@9.9.9"])
    assert result.exit_code != 0
    said = " ".join(result.output.split())
    assert "the built-in instrument 'imh-core' has no version '9.9.9'; versions: " in said
    assert "1.0.0" in said.partition("versions: ")[2].split(", ")


def test_the_demo_still_scores_with_its_own_versions_after_the_swap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rewind(monkeypatch)
    before = _evaluation(["analyse", "--demo"], tmp_path / "before.json")
    swap_current(monkeypatch)
    assert get_builtin("imh-core").version == NEW_VERSION
    after = _evaluation(["analyse", "--demo"], tmp_path / "after.json")
    assert after == before
    assert [i.version for i in demo_instruments()] == ["1.0.0", "1.0.0"]


def test_the_demo_export_writes_the_versions_its_answers_were_made_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    swap_current(monkeypatch)
    written = write_demo(tmp_path / "demo")
    assert [(load_instrument(p).id, load_instrument(p).version) for p in written[1:]] == [
        ("imh-core", "1.0.0"),
        ("imh-advanced-knowledge", "1.0.0"),
    ]
    assert DEMO_INSTRUMENT_REFS == ("imh-core@1.0.0", "imh-advanced-knowledge@1.0.0")


def test_the_demo_export_refuses_a_version_the_bank_has_no_file_of(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "imheval.demo.generate.DEMO_INSTRUMENT_REFS",
        ("imh-core@0.9.0", "imh-advanced-knowledge@1.0.0"),
    )
    with pytest.raises(UnknownInstrumentError) as raised:
        write_demo(tmp_path / "older")
    assert str(raised.value) == "the bank holds no file of the built-in instrument imh-core@0.9.0"
