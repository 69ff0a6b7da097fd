"""Every workforce table as a download (CSV or XLSX): one helper, so each page offers both."""

from __future__ import annotations

from collections.abc import Sequence

from django.http import Http404, HttpResponse

from imheval.io.tabular import rows_csv_bytes, rows_xlsx_bytes
from imheval.web.results.analysis import safe_file_part

#: Download formats: (file extension, content type).
TABLE_FORMATS: dict[str, tuple[str, str]] = {
    "csv": (".csv", "text/csv; charset=utf-8"),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def table_response(
    name: str, header: Sequence[str], rows: Sequence[Sequence[object]], file_format: str
) -> HttpResponse:
    """``rows`` under ``header`` as a ``file_format`` ("csv" or "xlsx") attachment named after
    ``name`` (e.g. "coverage northern 2027-03-31"); 404 for another format."""
    if file_format not in TABLE_FORMATS:
        raise Http404("No such format")
    extension, content_type = TABLE_FORMATS[file_format]
    if file_format == "csv":
        content = rows_csv_bytes(header, rows)
    else:
        content = rows_xlsx_bytes(name, header, rows)
    response = HttpResponse(content, content_type=content_type)
    file_name = safe_file_part(name) + extension
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response
