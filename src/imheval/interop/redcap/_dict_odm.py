"""The fields of a REDCap project XML (CDISC ODM 1.3.1 with ``redcap:`` extensions), as the
rows of a data dictionary.

REDCap's "project XML" (Project Setup > Other Functionality > Copy or Back Up the Project >
Download metadata only (XML), or metadata and data) holds the same metadata as the data
dictionary, spread over ODM elements: ``FormDef`` (an instrument, ``redcap:FormName``) lists
``ItemGroupRef``; each ``ItemGroupDef`` (a section) lists ``ItemRef``; each ``ItemDef`` is a
field, with the dictionary's columns as ``redcap:`` attributes (``redcap:Variable``,
``redcap:FieldType`` with ``select`` for dropdown and ``textarea`` for notes,
``redcap:SectionHeader``, ``redcap:Calculation``, ``redcap:MatrixGroupName``,
``redcap:FieldAnnotation`` ...), its label in ``Question/TranslatedText`` and its choices in a
``CodeList``. A checkbox is one ``ItemDef`` per option (``field___code``) whose ``CodeList``
carries the field's choices in ``redcap:CheckboxChoices``. Each form's ``<form>_complete``
status field and the data access group are left out; the records (``ClinicalData``) are not
read.

The XML is parsed with entities, DTDs and the network off; a file that declares a DOCTYPE or
an entity is refused unread.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from imheval.errors import InstrumentError, Problem
from imheval.interop.redcap._dict_rows import DOWNLOAD_DICTIONARY, DictionaryFile, Row
from imheval.interop.redcap._dict_text import escape_choice_label

_ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
_REDCAP = "{https://projectredcap.org}"
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_VALIDATIONS = {"int": "integer", "float": "number"}
#: The ODM attributes the rows' cells come from, for messages.
_HEADINGS = {
    "field_name": "redcap:Variable",
    "form_name": "redcap:FormName",
    "field_type": "redcap:FieldType",
    "field_label": "Question",
    "choices": "CodeList",
    "matrix_group": "redcap:MatrixGroupName",
}


def is_redcap_odm(head: bytes) -> bool:
    """Whether the start of a file is REDCap's project XML."""
    text = head.decode("utf-8", errors="replace")
    return "<ODM" in text and ("projectredcap.org" in text or 'SourceSystem="REDCap"' in text)


def read_odm(data: bytes, file: str) -> DictionaryFile:
    """The fields of the REDCap project XML ``data`` as dictionary rows (see the module
    docstring); InstrumentError naming ``file`` when it cannot be read or holds no fields."""
    if _DECLARATION.search(data):
        raise _refuse(
            file,
            "the XML declares a DOCTYPE or entities, which REDCap's project XML never does; it "
            "was refused unread",
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as error:
        raise _refuse(
            file,
            f"this XML cannot be read ({error.msg}, line {error.lineno}); it may be cut short. "
            f"Download the project XML again, or the data dictionary ({DOWNLOAD_DICTIONARY})",
        ) from None
    metadata = root.find(f"{_ODM}Study/{_ODM}MetaDataVersion")
    if metadata is None:
        raise _refuse(
            file,
            "this REDCap project XML holds no metadata (no MetaDataVersion); download the data "
            f"dictionary instead ({DOWNLOAD_DICTIONARY})",
        )
    groups = {group.get("OID"): group for group in metadata.iter(f"{_ODM}ItemGroupDef")}
    items = {item.get("OID"): item for item in metadata.iter(f"{_ODM}ItemDef")}
    code_lists = {codes.get("OID"): codes for codes in metadata.iter(f"{_ODM}CodeList")}
    rows: list[Row] = []
    seen: set[str] = set()
    for form in metadata.iter(f"{_ODM}FormDef"):
        form_name = form.get(f"{_REDCAP}FormName") or form.get("OID", "").removeprefix("Form.")
        for group_ref in form.iter(f"{_ODM}ItemGroupRef"):
            group = groups.get(group_ref.get("ItemGroupOID"))
            if group is None:
                continue
            for item_ref in group.iter(f"{_ODM}ItemRef"):
                item = items.get(item_ref.get("ItemOID"))
                if item is None:
                    continue
                row = _row(item, form_name, code_lists)
                if row is None or row.field_name in seen:
                    continue
                seen.add(row.field_name)
                rows.append(row)
    if not rows:
        raise _refuse(
            file,
            "this REDCap project XML lists no fields; download the data dictionary instead "
            f"({DOWNLOAD_DICTIONARY})",
        )
    return DictionaryFile(file=file, rows=tuple(rows), headings=dict(_HEADINGS))


def _row(item: Any, form_name: str, code_lists: dict[str, Any]) -> Row | None:
    kind = item.get(f"{_REDCAP}FieldType")
    name = item.get(f"{_REDCAP}Variable") or item.get("Name") or ""
    if not kind or name == f"{form_name}_complete":
        return None
    attribute = _attributes(item)
    choices = ""
    code_list = item.find(f"{_ODM}CodeListRef")
    codes = code_lists.get(code_list.get("CodeListOID")) if code_list is not None else None
    if kind == "checkbox":
        choices = codes.get(f"{_REDCAP}CheckboxChoices", "") if codes is not None else ""
        if not choices:
            code = str(item.get("OID", "")).rpartition("___")[2]
            choices = f"{code}, {code}"
    elif kind == "calc":
        choices = attribute("Calculation")
    elif codes is not None:
        choices = " | ".join(
            f"{entry.get('CodedValue', '')}, {_choice_label(entry)}"
            for entry in codes.iter(f"{_ODM}CodeListItem")
        )
    validation = attribute("TextValidationType")
    return Row(
        number=item.sourceline or 0,
        field_name=name,
        form_name=form_name,
        section_header=attribute("SectionHeader"),
        field_type=kind,
        field_label=_text(item.find(f"{_ODM}Question")),
        choices=choices,
        field_note=attribute("FieldNote"),
        validation=_VALIDATIONS.get(validation, validation),
        validation_min="",
        validation_max="",
        identifier=attribute("Identifier"),
        branching_logic=attribute("BranchingLogic"),
        required=attribute("RequiredField"),
        alignment=attribute("CustomAlignment"),
        question_number=attribute("QuestionNumber"),
        matrix_group=attribute("MatrixGroupName"),
        matrix_ranking=attribute("MatrixRanking"),
        annotation=attribute("FieldAnnotation"),
    )


def _choice_label(entry: Any) -> str:
    return escape_choice_label(_text(entry.find(f"{_ODM}Decode")))


def _attributes(item: Any) -> Any:
    def attribute(name: str) -> str:
        return str(item.get(f"{_REDCAP}{name}") or "").strip()

    return attribute


def _text(element: Any) -> str:
    """The text of an element's (first) TranslatedText, or ""."""
    if element is None:
        return ""
    translated = element.find(f"{_ODM}TranslatedText")
    return "".join(translated.itertext()).strip() if translated is not None else ""


def _refuse(file: str, message: str) -> InstrumentError:
    return InstrumentError([Problem(file=file, message=message)])
