"""Shared fixtures: the demo study's evaluation and report, built once per session."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from imheval import evaluate_file
from imheval.demo import demo_instruments, demo_path
from imheval.evaluation import Evaluation
from imheval.reports import Report, build_report
from imheval.reports.docx import write_docx
from imheval.reports.pdf import write_pdf


@pytest.fixture(scope="session")
def demo_evaluation() -> Evaluation:
    return evaluate_file(demo_path(), list(demo_instruments()))


@pytest.fixture(scope="session")
def demo_report(demo_evaluation: Evaluation) -> Report:
    return build_report(demo_evaluation)


@pytest.fixture(scope="session")
def demo_codes() -> set[str]:
    """Every participant code in the demo CSV, as typed."""
    with demo_path().open(encoding="utf-8", newline="") as handle:
        return {row["participant"] for row in csv.DictReader(handle) if row["participant"]}


@pytest.fixture(scope="session")
def demo_pdf(demo_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo report as PDF, written once per session (WeasyPrint takes a few seconds)."""
    return write_pdf(demo_report, tmp_path_factory.mktemp("pdf") / "report.pdf")


@pytest.fixture(scope="session")
def demo_docx(demo_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo report as Word, written once per session."""
    return write_docx(demo_report, tmp_path_factory.mktemp("docx") / "report.docx")
