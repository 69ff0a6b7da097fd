"""``imheval qual import`` and ``imheval qual export`` against the test database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from qual_data import make_code, make_coder, make_coding, make_source, make_study
from typer.testing import CliRunner

from imheval.cli import app
from shared_fixtures import shared_fixture

pytestmark = pytest.mark.django_db

EXAMPLE = shared_fixture("refi-qda", "examples", "imh-focus-group.qdpx")


def said(result: Any) -> str:
    """The command's output with the console's line wrapping undone."""
    return " ".join(result.output.split())


def test_import_makes_the_study_lists_losses_and_imports(workspace: Any) -> None:
    from imheval.web.qualitative.models import Coding, Study

    result = CliRunner().invoke(
        app,
        [
            "qual",
            "import",
            str(EXAMPLE),
            "--organisation",
            "northern",
            "--study",
            "Focus groups 2026",
            "--scope",
            f"cohort:{workspace.cohort.pk}",
            "--approach",
            "codebook",
            "--yes",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Nothing will be lost" in said(result)
    assert (
        "imh-focus-group.qdpx into Focus groups 2026: Imported 1 source, 3 speakers, 9 codes, "
        "2 coders, 5 codings, 1 memo and 1 set." in said(result)
    )
    study = Study.objects.get(name="Focus groups 2026")
    assert (study.organisation, study.cohort, study.approach) == (
        workspace.organisation,
        workspace.cohort,
        "codebook",
    )
    assert Coding.objects.filter(source__study=study).count() == 5


def test_import_asks_first_and_a_no_imports_nothing(workspace: Any) -> None:
    from imheval.web.qualitative.models import Study

    result = CliRunner().invoke(
        app,
        [
            "qual",
            "import",
            str(EXAMPLE),
            "--organisation",
            "northern",
            "--study",
            "Focus groups 2026",
            "--scope",
            f"programme:{workspace.programme.pk}",
        ],
        input="n\n",
    )
    assert result.exit_code == 0, result.output
    assert "Import imh-focus-group.qdpx into Focus groups 2026? [y/N]" in said(result)
    assert "Nothing was imported." in said(result)
    assert not Study.objects.exists()


def test_export_then_import_gives_the_same_codings(workspace: Any, tmp_path: Path) -> None:
    from imheval.web.qualitative.models import Coding

    study = make_study(workspace.organisation, workspace.cohort, name="Original")
    source = make_source(study)
    theme = make_code(study, "Confidence")
    make_coding(source, theme, make_coder(study, "Coder A"), text="Confidence to talk")
    make_coding(source, theme, make_coder(study, "Coder B"), text="talk to parents")
    out = tmp_path / "original.qdpx"
    runner = CliRunner()
    result = runner.invoke(
        app, ["qual", "export", "--organisation", "northern", "--study", "Original", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}: 1 sources, 1 codes, 2 codings." in said(result)
    result = runner.invoke(
        app,
        [
            "qual",
            "import",
            str(out),
            "--organisation",
            "northern",
            "--study",
            "Copy",
            "--scope",
            f"programme:{workspace.programme.pk}",
            "--yes",
        ],
    )
    assert result.exit_code == 0, result.output

    def coded(name: str) -> set[tuple[str, str, str]]:
        return {
            (c.source.text[c.start : c.end], c.code.name, c.coder.name)
            for c in Coding.objects.filter(source__study__name=name)
        }

    assert (
        coded("Copy")
        == coded("Original")
        == {
            ("Confidence to talk", "Confidence", "Coder A"),
            ("talk to parents", "Confidence", "Coder B"),
        }
    )


def test_bad_input_is_named_and_imports_nothing(workspace: Any, tmp_path: Path) -> None:
    from imheval.web.qualitative.models import Source, Study

    runner = CliRunner()
    broken = tmp_path / "broken.qdpx"
    broken.write_bytes(b"not a zip")
    result = runner.invoke(
        app,
        [
            "qual",
            "import",
            str(broken),
            "--organisation",
            "northern",
            "--study",
            "S",
            "--scope",
            f"cohort:{workspace.cohort.pk}",
            "--yes",
        ],
    )
    assert result.exit_code == 1
    assert "broken.qdpx" in said(result) and "Traceback" not in said(result)
    assert not Study.objects.exists() and not Source.objects.exists()

    other = workspace.other_cohort.pk
    result = runner.invoke(
        app,
        [
            "qual",
            "import",
            str(EXAMPLE),
            "--organisation",
            "northern",
            "--study",
            "S",
            "--scope",
            f"cohort:{other}",
            "--yes",
        ],
    )
    assert result.exit_code == 1
    assert f"--scope 'cohort:{other}': Northern HSC Trust has no cohort {other}" in said(result)
    result = runner.invoke(
        app, ["qual", "import", str(EXAMPLE), "--organisation", "northern", "--study", "S"]
    )
    assert "Northern HSC Trust has no study called 'S': give --scope to make it" in said(result)
    result = runner.invoke(
        app, ["qual", "export", "--organisation", "nowhere", "--study", "S", "x.qdpx"]
    )
    assert "no organisation has the short name 'nowhere'" in said(result)


def test_each_command_has_help_with_an_example() -> None:
    for command in ("import", "export"):
        result = CliRunner().invoke(app, ["qual", command, "--help"])
        assert result.exit_code == 0
        assert "Example: imheval qual " + command in said(result)
