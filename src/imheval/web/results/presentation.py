"""The core's report, laid out for a workspace page.

The page shows the very report the downloads contain: :func:`imheval.reports.build_report`
makes the frozen :class:`~imheval.reports.model.Report` (findings, tables with every small group
already suppressed, charts), and this module only turns its blocks into plain values a Django
template can lay out with NHS.UK markup. No number is computed or formatted here.

Charts are the core's own SVG, shown as ``<img>`` with a ``data:`` address: the SVG carries
style attributes, which the site's Content-Security-Policy forbids inline in a page but allows
inside an image; the chart's alt text is the core's description with its numbers.
"""

from __future__ import annotations

import base64
from typing import Any

from imheval.reports.model import (
    Callout,
    Chart,
    Findings,
    Heading,
    Number,
    Paragraph,
    Report,
    Table,
)

#: Row labels shown in bold as totals (as the core's HTML report does).
TOTAL_LABELS = frozenset({"Total", "All", "All matched people"})
DASH = "–"


def page_sections(report: Report) -> list[dict[str, Any]]:
    """Each section of ``report`` as {"id", "title", "blocks"}; each block a dict with "kind"."""
    return [
        {
            "id": f"report-{section.id}",
            "title": section.title,
            "blocks": [_block(block, section.id) for block in section.blocks],
        }
        for section in report.sections
    ]


def _block(block: Any, section_id: str) -> dict[str, Any]:
    if isinstance(block, Heading):
        return {"kind": "heading", "text": block.text, "tag": f"h{min(2 + block.level, 6)}"}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text}
    if isinstance(block, Findings):
        return {
            "kind": "findings",
            "items": [{"sentence": sentence, "apa": apa} for sentence, apa in block.items],
        }
    if isinstance(block, Callout):
        return {"kind": "callout", "style": block.kind, "text": block.text}
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Chart):
        return _chart(block)
    raise TypeError(f"unknown report block {type(block).__name__} in section {section_id}")


def _table(table: Table) -> dict[str, Any]:
    numeric_columns = [
        index > 0
        and any(row[index] not in ("", DASH) for row in table.rows)
        and all(row[index] in ("", DASH) or isinstance(row[index], Number) for row in table.rows)
        for index in range(len(table.header))
    ]
    return {
        "kind": "table",
        "caption": table.caption,
        "header": [
            {"text": text, "numeric": numeric}
            for text, numeric in zip(table.header, numeric_columns, strict=True)
        ],
        "rows": [
            {
                "label": row[0],
                "total": row[0] in TOTAL_LABELS,
                "cells": [
                    {"text": text, "numeric": numeric}
                    for text, numeric in zip(row[1:], numeric_columns[1:], strict=True)
                ],
            }
            for row in table.rows
        ],
        "notes": list(table.notes),
        "suppressed_note": table.suppressed_note or "",
    }


def _chart(chart: Chart) -> dict[str, Any]:
    encoded = base64.b64encode(chart.svg.encode("utf-8")).decode("ascii")
    return {
        "kind": "chart",
        "id": f"figure-{chart.id}",
        "title": chart.title,
        "caption": chart.caption,
        "alt": chart.alt_text,
        "src": f"data:image/svg+xml;base64,{encoded}",
    }
