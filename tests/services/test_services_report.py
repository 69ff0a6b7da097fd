"""The report's Level 4 section with service data: Barr 4a/4b headings, the caution, the chart
with its text alternative, the tables; and "Not measured" for the part nothing measured."""

from __future__ import annotations

import datetime
from pathlib import Path

from imheval import evaluate_file
from imheval.demo import demo_instruments, demo_path
from imheval.reports import build_report
from imheval.reports.docx import write_docx
from imheval.reports.html import render_html
from imheval.reports.model import Callout, Chart, Findings, Heading
from imheval.services import CAUTION, read_service_data, summarise


def _services(tmp_path: Path):
    lines = ["service,period,measure,value,denominator"]
    for i in range(20):
        year, month = 2024 + i // 12, i % 12 + 1
        value = 30 + i + (8 if i >= 10 else 0)
        lines.append(f"North,{year}-{month:02d},assessments_infant_relationship,{value},80")
    path = tmp_path / "services.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = read_service_data(path).with_training(datetime.date(2024, 11, 1), {})
    return summarise(data)


def test_level_4_shows_the_service_data_under_barr_4a_and_says_4b_is_not_measured(
    tmp_path: Path,
) -> None:
    evaluation = evaluate_file(demo_path(), list(demo_instruments()))
    report = build_report(evaluation, services=_services(tmp_path))
    section = report.section("level-4")
    headings = [b.text for b in section.blocks if isinstance(b, Heading)]
    assert "Barr 4a: organisational practice" in headings
    assert "North: Assessments with an infant relationship section" in headings
    callouts = [b for b in section.blocks if isinstance(b, Callout)]
    assert CAUTION in callouts[0].text
    assert callouts[-1].text.startswith(
        "Barr 4b: benefit to clients (babies and families): not measured"
    )
    (chart,) = [b for b in section.blocks if isinstance(b, Chart)]
    assert "Training began 2024-11-01" in chart.alt_text and "<svg" in chart.svg
    findings = next(b for b in section.blocks if isinstance(b, Findings))
    assert any("time-series" not in plain and "over time" in plain for plain, _ in findings.items)
    captions = [t.caption for t in section.tables()]
    assert any(c.endswith("interrupted time series") for c in captions)
    html = render_html(report)
    assert "Barr 4a: organisational practice" in html
    docx = write_docx(report, tmp_path / "report.docx")
    assert docx.stat().st_size > 0


def test_without_service_data_both_barr_parts_say_not_measured() -> None:
    evaluation = evaluate_file(demo_path(), list(demo_instruments()))
    section = build_report(evaluation).section("level-4")
    text = " ".join(getattr(b, "text", "") for b in section.blocks)
    assert "Not measured" in text
    assert "Barr 4a: organisational practice" in text and "Barr 4b" in text
