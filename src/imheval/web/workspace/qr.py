"""A collection's participant link and its QR code, as SVG (screen, posters) and PNG (documents).

The QR code always encodes the full participant address (``https://host/q/<token>/``), made with
error correction level M, so a printed poster still scans when slightly creased or smudged.
"""

from __future__ import annotations

import io

import segno
from django.http import HttpRequest
from django.urls import reverse

from imheval.web.workspace.models import Collection

#: Pixels per QR module: a version-5 code (45 modules with its quiet zone) is 450 px wide.
SCALE = 10


def participant_path(collection: Collection) -> str:
    """The path of the collection's questionnaire (``/q/<token>/``)."""
    return reverse("capture:start", kwargs={"token": collection.token})


def participant_url(request: HttpRequest, collection: Collection) -> str:
    """The absolute address participants open, on the host (and scheme) of this request."""
    return request.build_absolute_uri(participant_path(collection))


def _code(url: str) -> segno.QRCode:
    # make_qr, not make: never a Micro QR code, which many phone cameras cannot read.
    return segno.make_qr(url, error="m")


def qr_svg(url: str, title: str) -> bytes:
    """The QR code for ``url`` as a standalone SVG document with a white background."""
    buffer = io.BytesIO()
    _code(url).save(
        buffer, kind="svg", scale=SCALE, xmldecl=False, svgns=True, title=title, light="#fff"
    )
    return buffer.getvalue()


def qr_png(url: str) -> bytes:
    """The QR code for ``url`` as a black-and-white PNG image."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="png", scale=SCALE, light="#fff")
    return buffer.getvalue()
