"""The PDF: WeasyPrint from the same HTML, checked page by page with poppler."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image

# poppler-utils is installed by scripts/setup; without it the PDF cannot be checked.
POPPLER = shutil.which("pdftoppm") is not None and shutil.which("pdftotext") is not None


@pytest.fixture(scope="module")
def pages(demo_pdf: Path) -> list[Path]:
    assert POPPLER, "poppler-utils (pdftoppm, pdftotext) is needed: run scripts/setup"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", str(demo_pdf), str(demo_pdf.with_suffix(""))],
        check=True,
    )
    return sorted(demo_pdf.parent.glob("report-*.png"))


@pytest.fixture(scope="module")
def pdf_text(demo_pdf: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", str(demo_pdf), "-"], check=True, capture_output=True, text=True
    )
    return result.stdout


def test_pdf_has_several_pages_and_none_is_blank(demo_pdf: Path, pages: list[Path]) -> None:
    assert demo_pdf.read_bytes()[:5] == b"%PDF-"
    assert len(pages) >= 3
    for page in pages:
        pixels = np.asarray(image.imread(str(page)), dtype=float)
        assert pixels.std() > 0.01, f"{page.name} is blank"


def test_pdf_text_extracts(pdf_text: str) -> None:
    assert "Table 1" in pdf_text
    assert "Evaluation of infant mental health training" in pdf_text
    assert "Level 4: Results" in pdf_text
    assert "t(4) = 21.68, p < .001" in pdf_text
    # Chart labels are text in the SVG, so they survive into the PDF.
    assert "Before training" in pdf_text


def test_each_section_starts_a_new_page(pdf_text: str) -> None:
    pages = pdf_text.split("\f")
    starts = [page.strip().splitlines()[0].strip() for page in pages if page.strip()]
    # the summary starts on page 1, under the title; every later section on a page of its own
    assert starts[0] == "Evaluation of infant mental health training"
    for title in (
        "Which result to trust",
        "Who took part",
        "Level 1: Reaction",
        "Level 2: Learning",
    ):
        assert title in starts, starts


def test_page_one_holds_the_headline_summary_and_its_chart(pdf_text: str) -> None:
    pages = [page for page in pdf_text.split("\f") if page.strip()]
    first = " ".join(pages[0].split())
    assert first.startswith("Evaluation of infant mental health training")
    assert "Summary of findings" in first and "Contents" not in first
    for headline in (
        "Knowledge rose from 41% to 78% of answers correct",
        "Risk identification rose from 77% to 85% of answers correct",
        "Self-efficacy rose from 16.8 to 22.3 on a scale of 6 to 30",
        "Advanced knowledge went from 56% to 68% of answers correct",
    ):
        assert headline in first, headline
    assert "Average score, % of the possible range" in first  # the chart of every domain
    # the key sentences per domain follow, and "which result to trust" starts its own page
    summary = " ".join(" ".join(page.split()) for page in pages[:2])
    for label in ("Knowledge", "Risk identification", "Self-efficacy", "Advanced knowledge"):
        assert f"{label}: the " in summary, label
    trust = next(i for i, page in enumerate(pages) if "Which result to trust" in page[:200])
    assert trust in (1, 2)


def test_the_garbage_collector_is_paused_only_for_the_block() -> None:
    import gc

    from imheval.reports._gc import cyclic_gc_paused

    assert gc.isenabled()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("layout failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with cyclic_gc_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
