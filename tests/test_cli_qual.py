"""``imheval qual agreement``: a REFI-QDA project in, agreement between coders out."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from statsmodels.stats.inter_rater import cohens_kappa
from typer.testing import CliRunner

from imheval.cli import app
from imheval.cli import qual as qual_cli
from imheval.qualitative.agreement import agreement, to_json
from imheval.qualitative.model import Code, Coding, Project, Source, User, stable_guid
from imheval.qualitative.refi import read_qdpx, write_qdpx
from shared_fixtures import shared_fixture

runner = CliRunner()
EXAMPLE = shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx")


def _two_by_two(project: Project, code_name: str) -> np.ndarray:
    """The 2x2 table of characters (Coder A coded or not, Reviewer B coded or not), worked out
    here without imheval's agreement module."""
    (code,) = [code for code in project.codes if code.name == code_name]
    guid_of = {user.name: user.guid for user in project.users}
    table = np.zeros((2, 2))
    for source in project.sources:
        coded = {name: np.zeros(len(source.text), dtype=int) for name in guid_of}
        for coding in project.codings:
            if coding.code == code.guid and coding.source == source.guid:
                for name, guid in guid_of.items():
                    if coding.coder == guid:
                        coded[name][coding.start : coding.end] = 1
        for a in (0, 1):
            for b in (0, 1):
                table[a, b] += np.sum((coded["Coder A"] == a) & (coded["Reviewer B"] == b))
    return table


def test_agreement_prints_a_table_per_code_within_80_columns() -> None:
    result = runner.invoke(app, ["qual", "agreement", str(EXAMPLE)], terminal_width=80)
    assert result.exit_code == 0, result.output
    output = result.stdout
    assert "Coders: Coder A, Reviewer B" in output
    assert all(len(line.rstrip()) <= 80 for line in output.splitlines())
    lines = output.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("Enhanced clinical")))
    pooled = next(line for line in lines[start:] if "All sources (pooled)" in line)
    table = _two_by_two(read_qdpx(EXAMPLE).project, "Enhanced clinical practice")
    share = (table[0, 0] + table[1, 1]) / table.sum()
    kappa = cohens_kappa(table).kappa
    assert f"{share * 100:.1f}%" in pooled
    assert f" {kappa:.2f}".replace(" 0.", " .") in pooled
    assert "Focus group 1 transcript" in output
    # a code nobody used: plain words, and the reason
    assert "not defined" in output
    assert "Not defined: No coder used this code here" in output


def test_agreement_writes_the_documented_json(tmp_path: Path) -> None:
    out = tmp_path / "figures" / "agreement.json"
    result = runner.invoke(
        app, ["qual", "agreement", str(EXAMPLE), "--unit", "character", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote the agreement figures to {out}" in result.stderr
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document == to_json(agreement(read_qdpx(EXAMPLE).project))
    assert document["unit"] == "character"
    assert document["coders"] == ["Coder A", "Reviewer B"]
    first = document["codes"][0]
    assert set(first) == {"code", "guid", "pooled", "sources"}
    assert set(first["sources"][0]) == {
        "source",
        "guid",
        "units",
        "percent_agreement",
        "cohen_kappa",
        "krippendorff_alpha",
    }
    table = _two_by_two(read_qdpx(EXAMPLE).project, first["code"])
    assert first["pooled"]["cohen_kappa"] == pytest.approx(cohens_kappa(table).kappa, rel=1e-9)
    assert first["pooled"]["units"] == table.sum()
    unused = [code for code in document["codes"] if code["pooled"]["cohen_kappa"] is None]
    assert unused and all("reason" in code["pooled"] for code in unused)


def test_agreement_by_speaker_turn(tmp_path: Path) -> None:
    out = tmp_path / "turns.json"
    result = runner.invoke(
        app, ["qual", "agreement", str(EXAMPLE), "--unit", "turn", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Unit: speaker turn" in result.stdout
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document == to_json(agreement(read_qdpx(EXAMPLE).project, unit="turn"))
    assert document["unit"] == "turn"


def _write(tmp_path: Path, project: Project) -> Path:
    path = tmp_path / "project.qdpx"
    write_qdpx(project, path)
    return path


def _user(name: str) -> User:
    return User(stable_guid("user", name), name)


def _small_project(coders: tuple[User, ...]) -> Project:
    text = "PX1: I feel more confident.\nPX2: I feel alone.\n"
    code, source = stable_guid("code", "Confidence"), stable_guid("source", "Group 1")
    codings = tuple(
        Coding(stable_guid("k", str(i)), stable_guid("t", str(i)), source, 5, 27, code, user.guid)
        for i, user in enumerate(coders)
    )
    return Project(
        name="Small",
        users=coders,
        codes=(Code(code, "Confidence"),),
        sources=(Source(source, "Group 1", text),),
        codings=codings,
    )


def test_three_coders_show_alpha_and_explain_kappa(tmp_path: Path) -> None:
    coders = (_user("Coder A"), _user("Coder B"), _user("Coder C"))
    path = _write(tmp_path, _small_project(coders))
    result = runner.invoke(app, ["qual", "agreement", str(path)], terminal_width=80)
    assert result.exit_code == 0, result.output
    assert "Cohen's kappa is for two coders; with 3, read Krippendorff's alpha." in result.stdout
    assert "Kappa" not in result.stdout
    pooled = next(line for line in result.stdout.splitlines() if "pooled" in line)
    assert "100.0%" in pooled and "1.00" in pooled


def test_coders_can_be_chosen(tmp_path: Path) -> None:
    coders = (_user("Coder A"), _user("Coder B"), _user("Coder C"))
    path = _write(tmp_path, _small_project(coders))
    result = runner.invoke(
        app, ["qual", "agreement", str(path), "--coder", "Coder A", "--coder", "Coder C"]
    )
    assert result.exit_code == 0, result.output
    assert "Coders: Coder A, Coder C" in result.stdout
    assert "Kappa" in result.stdout


def test_one_coder_is_refused_plainly(tmp_path: Path) -> None:
    path = _write(tmp_path, _small_project((_user("Coder A"),)))
    result = runner.invoke(app, ["qual", "agreement", str(path)])
    assert result.exit_code == 1
    assert (
        "Error: agreement needs at least two coders; the project has codings by Coder A"
        in result.stderr
    )
    assert "Traceback" not in result.output


def test_an_unknown_coder_is_named(tmp_path: Path) -> None:
    coders = (_user("Coder A"), _user("Coder B"))
    path = _write(tmp_path, _small_project(coders))
    result = runner.invoke(
        app, ["qual", "agreement", str(path), "--coder", "Coder A", "--coder", "Coder Z"]
    )
    assert result.exit_code == 1
    assert "there is no coder named 'Coder Z' in the project" in result.stderr


def test_a_file_that_is_not_a_project_is_refused_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "notes.qdpx"
    path.write_text("not a zip", encoding="utf-8")
    result = runner.invoke(app, ["qual", "agreement", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "notes.qdpx" in result.stderr
    assert "Traceback" not in result.output


def test_an_archive_without_a_project_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    result = runner.invoke(app, ["qual", "agreement", str(path)])
    assert result.exit_code == 1
    assert "empty.qdpx" in result.stderr and "project.qde" in result.stderr


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "absent.qdpx"
    result = runner.invoke(app, ["qual", "agreement", str(missing)])
    assert result.exit_code == 1
    assert " ".join(result.stderr.split()).startswith(
        f"Error: absent.qdpx: does not exist (looked for {missing})"
    )
    assert "ZIP" not in result.stderr and "Errno" not in result.stderr
    assert "Traceback" not in result.output


def test_no_progress_bar_when_not_a_terminal() -> None:
    result = runner.invoke(app, ["qual", "agreement", str(EXAMPLE)])
    assert result.exit_code == 0
    assert "Comparing codes" not in result.stderr


def test_a_progress_bar_on_a_terminal_for_many_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=80)
    monkeypatch.setattr(qual_cli, "err_console", terminal)
    codes = tuple(Code(f"C{i}", f"Code {i}") for i in range(qual_cli.PROGRESS_MIN_CODES + 3))
    coders = (User("U1", "Coder A"), User("U2", "Coder B"))
    project = Project(
        name="Many codes",
        users=coders,
        codes=codes,
        sources=(Source("S1", "Group 1", "x" * 100),),
        codings=tuple(
            Coding(f"K{i}", f"T{i}", "S1", 0, 10 + i, "C1", user.guid)
            for i, user in enumerate(coders)
        ),
    )
    report = qual_cli._agreement_with_progress(project, "character", None, None)
    assert report == agreement(project)
    assert "Comparing codes" in screen.getvalue()
