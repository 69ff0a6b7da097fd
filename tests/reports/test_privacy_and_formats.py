"""Privacy across all three formats, and choosing the format by extension."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from imheval.errors import AnalysisError, ImhevalError
from imheval.evaluation import Evaluation
from imheval.reports import Report, write_report
from imheval.reports.html import render_html


@pytest.fixture(scope="module")
def outputs(demo_report: Report, demo_pdf: Path, demo_docx: Path) -> dict[str, str]:
    """The text of the demo report in each format (PDF via pdftotext, Word from its XML)."""
    texts = {"html": render_html(demo_report)}
    texts["pdf"] = subprocess.run(
        ["pdftotext", str(demo_pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    with zipfile.ZipFile(demo_docx) as archive:
        texts["docx"] = "\n".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )
    return texts


def test_no_participant_code_appears_in_any_format(
    outputs: dict[str, str], demo_codes: set[str]
) -> None:
    assert len(demo_codes) > 80
    for kind, text in outputs.items():
        lowered = text.lower()
        leaked = sorted(code for code in demo_codes if code.lower() in lowered)
        assert leaked == [], f"{kind} shows participant codes: {leaked[:5]}"


def test_small_groups_are_suppressed_in_every_format(outputs: dict[str, str]) -> None:
    for kind, text in outputs.items():
        flat = re.sub(r"\s+", " ", text)
        # The one word for a hidden figure, in a table cell, and the note that explains it.
        cell = re.search(r"(>|\bw:t>|^| )hidden(<| )", flat)
        assert cell is not None, kind
        assert "figures for fewer than 5 people read" in flat, kind
        # ... never the older words beside it.
        assert re.search(r"(>|^| )suppressed(<| \(small group\)|$)", flat) is None, kind


def test_the_same_content_reaches_every_format(
    outputs: dict[str, str], demo_evaluation: Evaluation
) -> None:
    entry = demo_evaluation.domain("knowledge").test("participant", "paired_t")
    assert entry is not None
    people = entry.result.apa().split(",")[0]  # e.g. "t(58) = 10.52" ("<" is escaped in HTML)
    for kind, text in outputs.items():
        flat = re.sub(r"\s+", " ", text)
        for phrase in ("2.00 (33%)", "+2.14 (+36 pp)", "Not measured", people):
            assert phrase in flat, (kind, phrase)


@pytest.mark.parametrize("name", ["report.txt", "report", "report.doc", "report.pdf.bak"])
def test_unknown_extension_is_refused_with_the_formats(
    demo_evaluation: Evaluation, tmp_path: Path, name: str
) -> None:
    with pytest.raises(AnalysisError, match=r"\.html, \.htm, \.pdf or \.docx") as caught:
        write_report(demo_evaluation, tmp_path / name)
    assert isinstance(caught.value, ImhevalError)
    assert not (tmp_path / name).exists()


def test_extension_picks_the_format_case_insensitively(
    demo_report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = write_report(demo_report, tmp_path / "REPORT.HTM")
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    written: list[tuple[str, Path]] = []
    monkeypatch.setattr(
        "imheval.reports.pdf.write_pdf", lambda report, path: written.append(("pdf", path))
    )
    monkeypatch.setattr(
        "imheval.reports.docx.write_docx", lambda report, path: written.append(("docx", path))
    )
    write_report(demo_report, tmp_path / "a.PDF")
    write_report(demo_report, tmp_path / "b.Docx")
    assert written == [("pdf", tmp_path / "a.PDF"), ("docx", tmp_path / "b.Docx")]


def test_write_report_builds_from_an_evaluation(
    demo_evaluation: Evaluation, tmp_path: Path
) -> None:
    path = write_report(demo_evaluation, tmp_path / "r.html", title="Board paper, March")
    text = path.read_text(encoding="utf-8")
    assert "<title>Board paper, March</title>" in text
