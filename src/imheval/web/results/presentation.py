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
from collections.abc import Mapping, Sequence
from typing import Any

from imheval.findings.wording import join_and
from imheval.reports.context import BARR_TITLES, NOT_TAGGED_TITLE
from imheval.reports.model import (
    Callout,
    Chart,
    Findings,
    Heading,
    Number,
    Paragraph,
    Quotation,
    Report,
    Section,
    Table,
)

#: Row labels shown in bold as totals (as the core's HTML report does).
TOTAL_LABELS = frozenset({"Total", "All", "All matched people"})
DASH = "–"


def page_sections(
    report: Report, domains: Mapping[int, Sequence[str]] | None = None
) -> list[dict[str, Any]]:
    """Each section of ``report`` as a dict for the templates; each block a dict with "kind".

    "id", "title", "level" (the Kirkpatrick level, or None), "blocks" (all of them, for a
    section laid out whole), "intro" (the blocks before its first part) and "parts": a part
    starts at each top-level :class:`Heading` (a domain of Level 2, "Matching" in the methods),
    as {"id", "title", "blocks", "group", "group_start"} (its heading is the part's title, not
    one of its blocks; "group" is the Barr sub-level heading it falls under, "" when none, and
    "group_start" marks the first part of each group, where the page shows that heading).
    "line" is the one-line summary under a folded Kirkpatrick level's title: "Not measured", or
    the names of the domains ``domains`` gives for its level, else the titles of its parts.
    """
    return [_section(section, domains or {}) for section in report.sections]


def _section(section: Section, domains: Mapping[int, Sequence[str]]) -> dict[str, Any]:
    intro: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    group = ""
    for block in section.blocks:
        if isinstance(block, Heading) and block.level == 1 and block.text in _GROUP_TITLES:
            # A Barr sub-level heads the parts after it rather than being an empty part.
            group = block.text
            continue
        if isinstance(block, Heading) and block.level == 1:
            parts.append(
                {
                    "id": f"report-{section.id}-{len(parts) + 1}",
                    "title": block.text,
                    "blocks": [],
                    "group": group,
                    "group_start": bool(group) and (not parts or parts[-1]["group"] != group),
                }
            )
            continue
        if parts:  # a part's title stands for its heading: its sub-headings move up one
            parts[-1]["blocks"].append(_block(block, section.id, heading_base=1))
        else:
            intro.append(_block(block, section.id))
    return {
        "id": f"report-{section.id}",
        "title": section.title,
        "level": section.kirkpatrick_level,
        "blocks": [_block(block, section.id) for block in section.blocks],
        "intro": intro,
        "parts": parts,
        "line": _line(section, [part["title"] for part in parts], domains),
    }


#: Headings that group a level's domains (Barr's sub-levels) instead of starting a part.
_GROUP_TITLES = frozenset({*BARR_TITLES.values(), NOT_TAGGED_TITLE})


def _line(section: Section, parts: list[str], domains: Mapping[int, Sequence[str]]) -> str:
    level = section.kirkpatrick_level
    if level is None:
        return ""
    if not any(isinstance(block, (Heading, Table, Findings, Chart)) for block in section.blocks):
        return "Not measured"
    return join_and(list(domains.get(level, ())) or parts)


def group_tables(tables: dict[str, Table]) -> dict[str, dict[str, Any]]:
    """Each group's table (:func:`imheval.reports.sections.groups.group_tables`) as a block."""
    return {label: _table(table) for label, table in tables.items()}


def _block(block: Any, section_id: str, heading_base: int = 2) -> dict[str, Any]:
    if isinstance(block, Heading):
        tag = f"h{min(heading_base + block.level, 6)}"
        return {"kind": "heading", "text": block.text, "tag": tag}
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
    if isinstance(block, Quotation):
        return {
            "kind": "quotation",
            "text": block.text,
            "attribution": block.attribution,
            "exemplar": block.exemplar,
        }
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
