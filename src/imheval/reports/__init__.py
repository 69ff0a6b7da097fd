"""Reports a Trust board can read: one report model rendered as HTML, PDF and Word.

>>> from imheval.reports import write_report
>>> write_report(evaluation, "report.docx")  # doctest: +SKIP

:func:`build_report` turns an :class:`~imheval.evaluation.Evaluation` into a frozen
:class:`Report` (sections by Kirkpatrick level, tables, charts, plain-English findings);
:func:`write_report` renders it in the format named by the file's extension. All three formats
come from the same report, so their content cannot drift apart.

Where things go:

- ``build.py``: :func:`build_report` and :data:`SECTION_BUILDERS`, the sections in report order.
- ``context.py``: :class:`ReportContext` (what every builder reads), ``SectionBuilder``, and the
  constants and small helpers more than one section uses.
- ``wording.py``: the report's own wording of table cells (``score``, ``difference``, ``prop``,
  ``range_text`` ...): pure functions from numbers to text. Wording the findings and the terminal
  share too (``people``, ``plural``, ``join_and``, ``effect_text``, a group test's direction) is
  in :mod:`imheval.findings.wording`. Wording a second module needs goes in one of the two, not
  into a section.
- ``sections/``: one module per section, each exposing its builder; ``sections/domain.py`` and
  ``sections/deeper.py`` hold the detail of one domain that the level sections share.
- ``domain_charts.py``: the charts of one domain; ``charts.py`` draws any chart spec as SVG.
- ``model.py``: the frozen report parts; ``html.py``, ``pdf.py``, ``docx.py``: the renderers.

A new section is one new module under ``sections/`` and one line in :data:`SECTION_BUILDERS`
(or ``build_report(evaluation, builders=...)`` for a one-off). A builder takes the context and
returns a :class:`Section`, or None when it has nothing to say for this data::

    def coverage_section(context: ReportContext) -> Section | None:
        # One paragraph on who took part, or no section when nobody did.
        people = len(context.evaluation.matched.people)
        if not people:
            return None
        text = f"{context.people(people)} took part."
        if context.small(people):
            text = context.too_few("Coverage", "took part")
        return Section("coverage", "Coverage", None, (Paragraph(text),))

Findings are data (:class:`imheval.findings.Finding`): a section picks the ones it shows from
``domain.findings`` by ``kind`` and ``comparison`` (the kinds are listed in
:mod:`imheval.evaluation.findings`) and shows each as its plain words with its statistics
beside them (``sections.summary.finding_pairs``); it reads numbers from ``finding.figures`` or
the evaluation's own results, never from a sentence. A new kind of evaluation (a network
group, a focus group) writes its findings with :func:`imheval.findings.finding` and its section
shows them the same way.

A table cell that shows a number is a :class:`~imheval.reports.model.Number` (the wording
helpers and ``context.count`` return one); the renderers right-align it by its type, never by
reading its text.

The privacy rule every section follows: a number of people is shown only through the context,
``context.count(n)`` or ``context.people(n)`` ("fewer than 5 people" for a small group), and the
figures on a group smaller than ``context.min_group_size`` are replaced by
``context.too_few(what, measured)``; a column of counts goes through ``protect_column`` (and
rows of means through ``protect_report_rows``) so that a hidden value cannot be worked out from a
total. Participant codes never enter a report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from imheval.errors import AnalysisError
from imheval.reports.build import SECTION_BUILDERS, build_report
from imheval.reports.context import ReportContext
from imheval.reports.model import Report, Section

if TYPE_CHECKING:
    from imheval.evaluation import Evaluation

#: File extensions write_report understands, and the format each one means.
FORMATS = {".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}


def write_report(
    evaluation: Evaluation | Report, path: str | Path, *, title: str | None = None
) -> Path:
    """Write the report for ``evaluation`` to ``path``; the extension picks the format.

    ``.html``/``.htm``: one self-contained file; ``.pdf``: the same HTML through WeasyPrint;
    ``.docx``: Word. A ready-made :class:`Report` may be passed instead of an evaluation.
    Returns the path written. Raises AnalysisError for any other extension (before anything is
    built) or when WeasyPrint is unavailable for a PDF; OSError if the file cannot be written.
    """
    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise AnalysisError(
            f"cannot write a report to '{target.name}': use a file ending in .html, .htm, "
            ".pdf or .docx"
        )
    report = evaluation if isinstance(evaluation, Report) else build_report(evaluation, title=title)
    if kind == "html":
        from imheval.reports.html import write_html

        return write_html(report, target)
    if kind == "pdf":
        from imheval.reports.pdf import write_pdf

        return write_pdf(report, target)
    from imheval.reports.docx import write_docx

    return write_docx(report, target)


__all__ = [
    "FORMATS",
    "SECTION_BUILDERS",
    "Report",
    "ReportContext",
    "Section",
    "build_report",
    "write_report",
]
