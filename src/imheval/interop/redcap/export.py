"""Writing an imheval instrument as a REDCap data dictionary (and instrument ZIP).

The dictionary has REDCap's 18 columns (the headers its Data Dictionary page writes) and one
form, named after the instrument's id:

1. ``record_id`` (the record id REDCap needs first; not in the ZIP, whose instrument joins a
   project that has its own);
2. ``code``, a text field "Your self-generated code", under a section header holding the
   instrument's title (imheval matches pre and post by this code); then the instrument's
   description, if any, as a hidden descriptive field;
3. the questions in the instrument's order, a section header wherever the domain changes
   (its label): keyed items as radio fields with their options; rating items as radio fields
   ``min, label | ... | max, label`` in a matrix group per scale (named after the scale; a
   scale asked in several runs gets ``_2``, ``_3``..., as REDCap wants a group's fields
   together); open questions as notes fields with ``@CHARLIMIT``;
4. one calc field per domain, ``<domain>_score``, hidden from participants, that scores it as
   imheval does: ``if([k1]='b',1,0)`` per keyed item (the points for a right answer; several
   right answers joined with ``or``), ``[s1]`` per rating item and ``(6-[s2])`` for a reversed
   one (6 = the scale's min + max); a domain with both kinds adds both.

REDCap field names are lower-case letters, digits and ``_``, starting with a letter, so an id
such as ``KA01`` or ``se-1.2`` is written as ``ka01`` or ``se_1_2`` (and given ``_2``, ``_3``
when two ids would meet, or an id meets a name REDCap reserves). What REDCap has no place for is
kept in each field's annotation as imheval tags, which REDCap shows to designers and otherwise
ignores: ``@IMHEVAL-ID=KA01`` (the item's id), ``@IMHEVAL-DOMAIN=knowledge``,
``@IMHEVAL-SCALE=can_do``, ``@IMHEVAL-FORM=A`` (a parallel form), ``@IMHEVAL-CODES=...``
(option codes REDCap cannot hold, when the options were written 1, 2, 3...),
``@IMHEVAL-CONCEPT=`` and ``-COMPETENCIES=``; on the code field ``@IMHEVAL-INSTRUMENT=``,
``-VERSION=``, ``-LANGUAGE=``, ``-LEVELS=``, ``-FRAMEWORK=``, ``-FORMS=``; on each domain's calc
field ``@IMHEVAL-DOMAIN=`` and ``-KIRKPATRICK=`` (the domain's description is its Field Note).
The instrument's description is a descriptive field hidden with ``@HIDDEN`` (it is written for
evaluators, not participants).
Values are percent-encoded where they hold spaces or other unsafe characters.
:func:`imheval.interop.redcap.dictionary.read_dictionary` reads them back, so an instrument
written and read again is the same instrument.

Text is written as REDCap shows it: a label that would read back differently (one holding
``<b>`` or ``&amp;``) is written with character references, and ``|`` in an option label as
``&#124;``. Terms such as ``{health_visitor}`` are written in their default wording (REDCap
has no jurisdictions).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from imheval.instruments import Instrument, KeyedItem, OpenItem, RatingItem
from imheval.instruments.model import RatingScale
from imheval.interop._wording import in_default_words
from imheval.interop.model import InstrumentImport
from imheval.interop.redcap._dict_text import (
    escape_choice_label,
    escape_label,
    imheval_tag,
)

__all__ = ["HEADERS", "redcap_answer_maps", "write_dictionary", "write_instrument_zip"]

#: The 18 column headers of a REDCap data dictionary, as REDCap's Data Dictionary page writes
#: them.
HEADERS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)

#: The longest REDCap field name (REDCap's limit is 100; a short name is kinder to exports).
MAX_FIELD_NAME = 60
#: Names REDCap reserves or uses for its own columns, and words of its logic and JavaScript.
_RESERVED_NAMES = frozenset(
    {
        "record",
        "event_id",
        "arm",
        "instance",
        "hidden_edit_flag",
        "submit_action",
        "record_id",
        "code",
        "and",
        "or",
        "not",
        "if",
        "sum",
        "new",
        "class",
        "return",
        "switch",
        "case",
        "default",
        "function",
        "var",
        "this",
        "true",
        "false",
        "null",
        "delete",
        "document",
        "window",
    }
)
#: Option codes REDCap takes as they are (anything else is written 1, 2, 3 and kept in a tag).
_SAFE_CODE = re.compile(r"^(?:[A-Za-z0-9_]+|-\d+)$")


def write_dictionary(instrument: Instrument) -> str:
    """The 18-column REDCap data dictionary (CSV text) of ``instrument``, with calc fields that
    score it (see the module docstring). The text starts with a byte-order mark and ends lines
    with LF, as REDCap writes it (and Excel opens it as UTF-8); upload it in REDCap with Project
    Setup > Data Dictionary > Upload."""
    return "\ufeff" + _csv(_rows(instrument, with_record_id=True))


def write_instrument_zip(instrument: Instrument) -> bytes:
    """A REDCap shared-instrument ZIP of ``instrument``: ``instrument.csv`` (the dictionary
    without the record id field, UTF-8 with a byte-order mark) and ``OriginID.txt``. Import it
    in REDCap's Online Designer ("Upload instrument ZIP") to add the instrument to a project."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        text = "\ufeff" + _csv(_rows(instrument, with_record_id=False))
        archive.writestr(_entry("instrument.csv"), text.encode("utf-8"))
        archive.writestr(_entry("OriginID.txt"), b"imheval")
    return buffer.getvalue()


def redcap_answer_maps(instrument: Instrument) -> InstrumentImport:
    """How ``instrument``'s questions appear in a REDCap project built from
    :func:`write_dictionary`: each question's REDCap field name (``KA01`` is field ``ka01``,
    ``se-1.2`` is ``se_1_2``), the option codes as written there, the code field. Use it to read
    the records of such a project with the imheval instrument (``imheval convert --from redcap
    -i INSTRUMENT``) instead of its dictionary: it is exactly what reading the dictionary back
    gives, with ``instrument`` itself (its wording, misconceptions and evidence included)."""
    from dataclasses import replace

    from imheval.interop.model import SourceFile
    from imheval.interop.redcap.dictionary import read_dictionary

    source = SourceFile(
        name=f"{instrument.id}-redcap-dictionary.csv",
        data=write_dictionary(instrument).encode("utf-8"),
    )
    return replace(read_dictionary(source), instrument=instrument)


def _entry(name: str) -> zipfile.ZipInfo:
    # A fixed date keeps the bytes the same for the same instrument.
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass
class _Row:
    name: str
    kind: str
    label: str
    section: str = ""
    choices: str = ""
    note: str = ""
    matrix: str = ""
    annotation: str = ""

    def cells(self, form: str) -> list[str]:
        cells = [""] * len(HEADERS)
        cells[0], cells[1], cells[2], cells[3], cells[4] = (
            self.name,
            form,
            self.section,
            self.kind,
            self.label,
        )
        cells[5] = self.choices
        cells[6] = self.note
        cells[15] = self.matrix
        cells[17] = self.annotation
        return cells


class _Names:
    """REDCap field (and matrix group) names for imheval ids, each used once."""

    def __init__(self) -> None:
        self.taken: set[str] = set(_RESERVED_NAMES)

    def name(self, wanted: str, *, suffix: str = "") -> str:
        base = re.sub(r"[^a-z0-9_]+", "_", wanted.lower())
        base = re.sub(r"_+", "_", base).strip("_")
        if not base or not base[0].isalpha():
            base = "q_" + base if base else "q"
        base = base[: MAX_FIELD_NAME - len(suffix)].rstrip("_") + suffix
        candidate, number = base, 2
        while candidate in self.taken or _reserved_pattern(candidate):
            tail = f"_{number}"
            candidate, number = base[: MAX_FIELD_NAME - len(tail)] + tail, number + 1
        self.taken.add(candidate)
        return candidate


def _reserved_pattern(name: str) -> bool:
    return name.startswith("redcap_") or name.endswith(("_complete", "_timestamp"))


def _rows(instrument: Instrument, *, with_record_id: bool) -> list[list[str]]:
    instrument = in_default_words(instrument)
    names = _Names()
    form = names.name(instrument.id)
    names.taken.discard(form)  # a form name may equal a field name in REDCap; keep it free
    rows: list[_Row] = []
    if with_record_id:
        rows.append(_Row(name="record_id", kind="text", label="Record ID"))
    rows.append(
        _Row(
            name="code",
            kind="text",
            label="Your self-generated code",
            section=escape_label(instrument.title),
            annotation=" ".join(_instrument_tags(instrument)),
        )
    )
    if instrument.description:
        rows.append(
            _Row(
                name=names.name("description"),
                kind="descriptive",
                label=escape_label(instrument.description),
                annotation=f"@HIDDEN {imheval_tag('DESCRIPTION')}",
            )
        )
    fields: dict[str, str] = {}
    labels = {domain.id: domain.label for domain in instrument.domains}
    groups = _Names()
    previous_domain: str | None = None
    previous_group = ""
    previous_scale = ""
    for question in instrument.questions:
        name = names.name(question.id)
        fields[question.id] = name
        row = _question_row(question, name, instrument)
        if question.domain is not None and question.domain != previous_domain:
            row.section = escape_label(labels[question.domain])
        if isinstance(question, RatingItem):
            if question.scale == previous_scale and not row.section:
                row.matrix = previous_group
            else:
                row.matrix = groups.name(question.scale)
            previous_group, previous_scale = row.matrix, question.scale
        else:
            previous_group = previous_scale = ""
        previous_domain = question.domain
        rows.append(row)
    for domain in instrument.domains:
        expression = _domain_score(instrument, domain.id, fields)
        if expression:
            rows.append(
                _Row(
                    name=names.name(domain.id, suffix="_score"),
                    kind="calc",
                    label=escape_label(f"{domain.label} score"),
                    choices=expression,
                    note=escape_label(domain.description),
                    annotation=" ".join(
                        (
                            "@HIDDEN-SURVEY",
                            imheval_tag("DOMAIN", domain.id),
                            imheval_tag("KIRKPATRICK", str(domain.kirkpatrick_level)),
                            *(
                                (imheval_tag("BARR", domain.barr_level),)
                                if domain.barr_level is not None
                                else ()
                            ),
                        )
                    ),
                )
            )
    return [list(HEADERS)] + [row.cells(form) for row in rows]


def _instrument_tags(instrument: Instrument) -> Iterable[str]:
    yield imheval_tag("INSTRUMENT", instrument.id)
    yield imheval_tag("VERSION", instrument.version)
    yield imheval_tag("LANGUAGE", instrument.language)
    yield imheval_tag("LEVELS", ",".join(level.value for level in instrument.levels))
    if instrument.framework:
        yield imheval_tag("FRAMEWORK", instrument.framework)
    if instrument.forms:
        from urllib.parse import quote

        forms = ",".join(
            f"{quote(form.id, safe='')}:{quote(form.label, safe='')}" for form in instrument.forms
        )
        yield imheval_tag("FORMS", forms)


def _question_row(
    question: KeyedItem | RatingItem | OpenItem, name: str, instrument: Instrument
) -> _Row:
    tags = [imheval_tag("ID", question.id)]
    if question.domain is not None:
        tags.append(imheval_tag("DOMAIN", question.domain))
    if question.form is not None:
        tags.append(imheval_tag("FORM", question.form))
    if not isinstance(question, OpenItem):
        if question.concept:
            tags.append(imheval_tag("CONCEPT", question.concept))
        if question.competencies:
            tags.append(imheval_tag("COMPETENCIES", ",".join(question.competencies)))
    text = escape_label(question.text)
    if isinstance(question, KeyedItem):
        codes = _written_codes(question)
        if codes != list(question.options):
            tags.append(imheval_tag("CODES", ",".join(_quote_code(c) for c in question.options)))
        choices = " | ".join(
            f"{code}, {escape_choice_label(label)}"
            for code, label in zip(codes, question.options.values(), strict=True)
        )
        return _Row(name=name, kind="radio", label=text, choices=choices, annotation=" ".join(tags))
    if isinstance(question, RatingItem):
        tags.append(imheval_tag("SCALE", question.scale))
        choices = _scale_choices(instrument.scales[question.scale])
        return _Row(name=name, kind="radio", label=text, choices=choices, annotation=" ".join(tags))
    tags.append(f"@CHARLIMIT={question.max_length}")
    return _Row(name=name, kind="notes", label=text, annotation=" ".join(tags))


def _quote_code(code: str) -> str:
    from urllib.parse import quote

    return quote(code, safe="")


def _written_codes(item: KeyedItem) -> list[str]:
    """The item's option codes as written: as they are when REDCap takes them all, else 1, 2,
    3... (and the originals go in ``@IMHEVAL-CODES``)."""
    codes = list(item.options)
    if all(_SAFE_CODE.match(code) for code in codes):
        return codes
    return [str(number) for number in range(1, len(codes) + 1)]


def _scale_choices(scale: RatingScale) -> str:
    return " | ".join(
        f"{value}, {escape_choice_label(scale.labels.get(value) or str(value))}"
        for value in range(scale.min, scale.max + 1)
    )


def _domain_score(instrument: Instrument, domain: str, fields: dict[str, str]) -> str:
    terms: list[str] = []
    for item in instrument.items_in(domain):
        field = fields[item.id]
        if isinstance(item, KeyedItem):
            written = dict(zip(item.options, _written_codes(item), strict=True))
            condition = " or ".join(f"[{field}]='{written[code]}'" for code in item.key)
            terms.append(f"if({condition},{_number(item.points)},0)")
        else:
            scale = instrument.scales[item.scale]
            if item.reverse:
                terms.append(f"({scale.min + scale.max}-[{field}])")
            else:
                terms.append(f"[{field}]")
    return "+".join(terms)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


# ---------------------------------------------------------------------------------------------
# CSV as REDCap writes it


def _csv(rows: Sequence[Sequence[str]]) -> str:
    """Rows as REDCap writes CSV (PHP's fputcsv): LF line ends, a cell quoted when it holds a
    comma, quote, space, tab or line break, quotes doubled."""
    return "".join(",".join(_cell(cell) for cell in row) + "\n" for row in rows)


_NEEDS_QUOTES = re.compile(r'[,"\s\\]')


def _cell(value: str) -> str:
    if _NEEDS_QUOTES.search(value):
        return '"' + value.replace('"', '""') + '"'
    return value
