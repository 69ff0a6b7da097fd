"""REFI-QDA exchange: read and write projects (``.qdpx``) and codebooks (``.qdc``).

REFI-QDA 1.5 is the standard NVivo, ATLAS.ti, MAXQDA, QualCoder and others use to exchange
qualitative projects. :func:`read_qdpx` and :func:`read_qdc` turn a file into a
:class:`~imheval.qualitative.model.Project` plus the list of what was lost or changed;
:func:`write_qdpx` and :func:`write_qdc` write one, schema-valid and deterministic, and return
what REFI-QDA could not carry. Files from outside are opened defensively (see
:mod:`imheval.qualitative.refi.archive`).
"""

from __future__ import annotations

from imheval.errors import RefiError
from imheval.qualitative.refi.reader import RefiRead, read_qdc, read_qdpx, read_qdpx_bytes
from imheval.qualitative.refi.writer import (
    DEFAULT_ORIGIN,
    codebook_xml,
    project_xml,
    write_qdc,
    write_qdpx,
)

__all__ = [
    "DEFAULT_ORIGIN",
    "RefiError",
    "RefiRead",
    "codebook_xml",
    "project_xml",
    "read_qdc",
    "read_qdpx",
    "read_qdpx_bytes",
    "write_qdc",
    "write_qdpx",
]
