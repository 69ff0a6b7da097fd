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
    for title in ("Summary of findings", "Who took part", "Level 1: Reaction", "Level 2: Learning"):
        assert title in starts, starts


def test_the_summary_of_the_demo_fits_on_one_page(pdf_text: str) -> None:
    pages = [page for page in pdf_text.split("\f") if page.strip()]
    summary = next(i for i, page in enumerate(pages) if page.strip().startswith("Summary of"))
    assert pages[summary + 1].strip().startswith("Which result to trust")
    # every domain's key sentences are on the summary page itself
    for label in ("Knowledge", "Risk identification", "Self-efficacy", "Advanced knowledge"):
        assert f"{label}: the " in pages[summary], label


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
