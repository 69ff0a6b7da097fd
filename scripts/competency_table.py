#!/usr/bin/env python3
"""The competency mapping of the built-in bank's instruments, as the Markdown tables in
docs/instruments.md ("Competency mapping"): each item with its form, concept and AIMH UK IMHCF
domains, then how many items of each form touch each domain.

Each table sits in docs/instruments.md between two markers,
``<!-- competency-table imh-advanced-knowledge@2.0.0 -->`` and
``<!-- end competency-table imh-advanced-knowledge@2.0.0 -->``; ``--write`` replaces what is
between them with the table generated from the file, and leaves the block of an instrument the
bank does not hold yet as it is. tests/instruments/test_bank_v2_advanced.py checks that the docs
match the files.

Examples:
    scripts/competency_table.py imh-advanced-knowledge@2.0.0   # print one table
    scripts/competency_table.py --write                        # refresh docs/instruments.md
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from imheval.instruments.bank import get_builtin, is_builtin_ref
from imheval.instruments.frameworks import FRAMEWORKS
from imheval.instruments.model import Instrument

DOCS = Path(__file__).resolve().parents[1] / "docs" / "instruments.md"

#: The instruments whose tables docs/instruments.md holds, in its order.
DOCUMENTED = ("imh-core@2.0.0", "imh-advanced-knowledge@2.0.0", "imh-reaction@1.1.0")


def begin_marker(ref: str) -> str:
    return f"<!-- competency-table {ref} -->"


def end_marker(ref: str) -> str:
    return f"<!-- end competency-table {ref} -->"


def competency_table(instrument: Instrument) -> str:
    """The item table, then the coverage by form, of one instrument, in Markdown."""
    framework = FRAMEWORKS.get(instrument.framework)
    if framework is None:
        return (
            f"No item of `{instrument.id}` {instrument.version} is mapped to a competency "
            "framework: its items rate the training itself, not a competency."
        )
    lines = [
        f"| Item | Form | Concept | {framework.title} domains |",
        "|---|---|---|---|",
    ]
    for item in instrument.items:
        domains = "; ".join(framework.label(c) for c in item.competencies) or "none"
        lines.append(f"| {item.id} | {item.form or 'all'} | `{item.concept}` | {domains} |")
    forms = instrument.form_ids or ("all",)
    lines += [
        "",
        "| Domain | " + " | ".join(f"Form {f}" if f != "all" else "Items" for f in forms) + " |",
        "|---|" + "---|" * len(forms),
    ]
    for domain in framework.domains:
        counts = [
            sum(
                1
                for item in (instrument.form_items(f) if f != "all" else instrument.items)
                if domain.id in item.competencies
            )
            for f in forms
        ]
        lines.append(f"| {domain.label} | " + " | ".join(str(c) for c in counts) + " |")
    return "\n".join(lines)


def block(docs_text: str, ref: str) -> str:
    """What docs/instruments.md holds between the markers of ``ref`` (stripped)."""
    begin, end = begin_marker(ref), end_marker(ref)
    start = docs_text.index(begin) + len(begin)
    return docs_text[start : docs_text.index(end, start)].strip()


def with_table(docs_text: str, ref: str, table: str) -> str:
    """``docs_text`` with the block of ``ref`` replaced by ``table``."""
    begin, end = begin_marker(ref), end_marker(ref)
    start = docs_text.index(begin) + len(begin)
    stop = docs_text.index(end, start)
    return docs_text[:start] + "\n" + table + "\n" + docs_text[stop:]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print the competency mapping of built-in instruments, or write it into "
        "docs/instruments.md.",
        epilog="Example: scripts/competency_table.py imh-advanced-knowledge@2.0.0",
    )
    parser.add_argument("refs", nargs="*", help="instrument@version (default: the documented)")
    parser.add_argument("--write", action="store_true", help="refresh docs/instruments.md")
    args = parser.parse_args(argv)
    refs = [r for r in (args.refs or DOCUMENTED) if is_builtin_ref(r)]
    if args.write:
        text = DOCS.read_text(encoding="utf-8")
        for ref in refs:
            text = with_table(text, ref, competency_table(get_builtin(ref)))
        DOCS.write_text(text, encoding="utf-8")
        print(f"wrote {len(refs)} table(s) into {DOCS}")
        return 0
    for ref in refs:
        print(f"{ref}\n\n{competency_table(get_builtin(ref))}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
