"""Writing instruments back to the file format (YAML) that the loader reads.

:func:`instrument_to_yaml` is the inverse of the loader's ``load_instrument_text``: loading
what it writes gives an equal :class:`~imheval.instruments.model.Instrument`. It writes
the fields in the order docs/instruments.md lists them, in block style, keeps non-English text
as it is, and leaves out what the file would say anyway: an empty description or concept, a
keyed item's ``points: 1``, a rating item's ``reverse: false``, an item's ``kind`` (naming a
scale already makes an item a rating item; an open question always says ``kind: open``), an open
question's ``max_length: 1000``, and empty ``scales``, ``forms``, ``framework``,
``wording``, ``form``, ``misconceptions``, ``competencies`` and ``evidence``.

:func:`write_instrument_yaml` writes a plain dict in the same way, for callers (the browser
editor) that build an instrument field by field and let the loader judge the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from imheval.instruments.model import (
    DEFAULT_OPEN_MAX_LENGTH,
    Domain,
    Instrument,
    KeyedItem,
    OpenItem,
    RatingItem,
    RatingScale,
)

#: Long enough that ordinary questions stay on one line; longer ones fold, as YAML allows.
_LINE_WIDTH = 100


class _BlockDumper(yaml.SafeDumper):
    """A safe dumper that indents list entries under their key, as the docs' examples do."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def instrument_to_dict(instrument: Instrument) -> dict[str, Any]:
    """The instrument as the plain values of its file, fields in file order, defaults left out."""
    data: dict[str, Any] = {
        "format": instrument.format,
        "id": instrument.id,
        "version": instrument.version,
        "title": instrument.title,
    }
    if instrument.description:
        data["description"] = instrument.description
    data["language"] = instrument.language
    data["levels"] = [level.value for level in instrument.levels]
    data["domains"] = [_domain(domain) for domain in instrument.domains]
    if instrument.scales:
        data["scales"] = {name: _scale(scale) for name, scale in instrument.scales.items()}
    if instrument.forms:
        data["forms"] = [
            {"id": form.id, **({"label": form.label} if form.label else {})}
            for form in instrument.forms
        ]
    if instrument.framework:
        data["framework"] = instrument.framework
    if instrument.wording:
        data["wording"] = {term: dict(texts) for term, texts in instrument.wording.items()}
    data["items"] = [
        _open(item) if isinstance(item, OpenItem) else _item(item) for item in instrument.questions
    ]
    return data


def instrument_to_yaml(instrument: Instrument) -> str:
    """The instrument file (YAML text) that loads back into an equal instrument."""
    return write_instrument_yaml(instrument_to_dict(instrument))


def write_instrument_yaml(data: Mapping[str, Any]) -> str:
    """YAML text of ``data`` (plain dicts, lists, text and numbers), keys in the given order.

    Text that the loader would otherwise read as something else (``yes``, ``1.10``, ``07``) is
    quoted, so what is written is what is read back.
    """
    return yaml.dump(
        dict(data),
        Dumper=_BlockDumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=_LINE_WIDTH,
    )


def _domain(domain: Domain) -> dict[str, Any]:
    data: dict[str, Any] = {"id": domain.id, "label": domain.label}
    if domain.description:
        data["description"] = domain.description
    data["kirkpatrick_level"] = domain.kirkpatrick_level
    if domain.barr_level is not None:
        data["barr_level"] = domain.barr_level
    return data


def _scale(scale: RatingScale) -> dict[str, Any]:
    data: dict[str, Any] = {"min": scale.min, "max": scale.max}
    if scale.labels:
        data["labels"] = dict(sorted(scale.labels.items()))
    return data


def _item(item: KeyedItem | RatingItem) -> dict[str, Any]:
    data: dict[str, Any] = {"id": item.id, "domain": item.domain}
    if item.form is not None:
        data["form"] = item.form
    if item.concept:
        data["concept"] = item.concept
    data["text"] = item.text
    if isinstance(item, RatingItem):
        data["scale"] = item.scale
        if item.reverse:
            data["reverse"] = True
        if item.retrospective:
            data["retrospective"] = True
    else:
        data["options"] = dict(item.options)
        data["key"] = item.key[0] if len(item.key) == 1 else list(item.key)
        if item.points != 1:
            data["points"] = int(item.points) if item.points.is_integer() else item.points
        if item.misconceptions:
            data["misconceptions"] = dict(item.misconceptions)
    if item.competencies:
        data["competencies"] = list(item.competencies)
    if item.evidence:
        data["evidence"] = list(item.evidence)
    return data


def _open(item: OpenItem) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "open", "id": item.id}
    if item.domain is not None:
        data["domain"] = item.domain
    if item.form is not None:
        data["form"] = item.form
    data["text"] = item.text
    if item.max_length != DEFAULT_OPEN_MAX_LENGTH:
        data["max_length"] = item.max_length
    return data
