"""Report -> PDF, by WeasyPrint from the same HTML as the .html report (print CSS applies).

The one difference: each chart is an ``<img>`` of the same SVG (a ``data:`` URL) rather than
inline ``<svg>``, which WeasyPrint lays out faster (see :func:`imheval.reports.html.render_html`).

WeasyPrint is imported inside :func:`write_pdf`, so ``import imheval`` stays fast.
"""

from __future__ import annotations

from pathlib import Path

from imheval.errors import AnalysisError
from imheval.reports._gc import cyclic_gc_paused
from imheval.reports.html import render_html
from imheval.reports.model import Report


def write_pdf(report: Report, path: str | Path) -> Path:
    """Write the report to ``path`` as an A4 PDF; returns the path.

    Raises AnalysisError when WeasyPrint (or the system libraries it needs, Pango) cannot be
    loaded, and OSError if the file cannot be written.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise AnalysisError(
            "cannot write a PDF: WeasyPrint is not usable here "
            f"({error}); write .html or .docx instead, or install WeasyPrint and Pango"
        ) from error
    target = Path(path)
    html = render_html(report, charts_as_images=True)
    with cyclic_gc_paused():
        # No base_url: the HTML is self-contained, so nothing is fetched from anywhere.
        HTML(string=html).write_pdf(str(target))
    return target
