"""What ``imheval analyse`` skips to save time, and that what it gives is the same."""

from __future__ import annotations

import gc
from importlib import resources
from pathlib import Path

import pytest
from typer.testing import CliRunner

from imheval.cli import app
from imheval.cli.analyse import _resolve
from imheval.instruments import bank, resolve_instrument
from imheval.instruments.loader import YAML_SUFFIXES


@pytest.fixture
def instrument_file(tmp_path: Path) -> Path:
    text = resources.files("imheval.instruments").joinpath("bank", "imh-core.yaml").read_text()
    path = tmp_path / "my-core.YAML"
    path.write_text(text.replace("id: imh-core", "id: my-core", 1), encoding="utf-8")
    return path


def test_no_built_in_id_ends_as_a_yaml_file_does() -> None:
    # _resolve reads a path ending in .yaml without asking the bank on this ground.
    assert bank.builtin_ids()
    assert not [i for i in bank.builtin_ids() if i.lower().endswith(YAML_SUFFIXES)]


def test_a_yaml_file_is_read_without_reading_the_built_in_bank(instrument_file: Path) -> None:
    bank._bank.cache_clear()
    instrument = _resolve(str(instrument_file))
    assert bank._bank.cache_info().currsize == 0
    assert instrument.id == "my-core"
    assert instrument == resolve_instrument(str(instrument_file))


def test_built_in_ids_and_versions_are_still_the_bank_s() -> None:
    assert _resolve("imh-core") == resolve_instrument("imh-core")
    assert _resolve("imh-core@1.0.0").version == "1.0.0"


def test_a_yaml_path_that_is_no_file_is_refused_as_before(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.yaml")
    with pytest.raises(Exception) as ours:
        _resolve(missing)
    with pytest.raises(Exception) as theirs:
        resolve_instrument(missing)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_the_collector_is_spared_only_while_the_command_runs(tmp_path: Path) -> None:
    frozen_during: list[int] = []
    gc.callbacks.append(lambda phase, info: frozen_during.append(gc.get_freeze_count()))
    try:
        result = CliRunner().invoke(app, ["analyse", "--demo", "--json", str(tmp_path / "e.json")])
    finally:
        gc.callbacks.pop()
    assert result.exit_code == 0, result.output
    assert max(frozen_during) > 0  # collections during the analysis skipped what was imported
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_the_collector_is_back_after_a_command_that_fails(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyse", str(tmp_path / "none.csv")])
    assert result.exit_code == 1
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_the_caller_s_collector_state_is_given_back(tmp_path: Path) -> None:
    """A caller that had the collector off, and objects of its own frozen, finds them so."""
    gc.disable()
    gc.freeze()
    frozen = gc.get_freeze_count()
    try:
        result = CliRunner().invoke(app, ["analyse", "--demo", "--json", str(tmp_path / "e.json")])
        assert result.exit_code == 0, result.output
        assert not gc.isenabled()
        # still frozen (not unfrozen by the command), less any the command let go of
        assert frozen > 0 and gc.get_freeze_count() > 0.9 * frozen
    finally:
        gc.unfreeze()
        gc.enable()
