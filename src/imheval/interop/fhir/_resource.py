"""Reading a FHIR file (JSON or XML) into a plain resource, and the helpers every FHIR reader
shares: looking elements up whatever their cardinality, extensions by URL, numbers kept exact,
and the checks that refuse a resource of the wrong type or FHIR version.

A resource is held as JSON holds it (``dict``/``list``/``str``/``Decimal``/``bool``). FHIR XML is
turned into the same shape by :mod:`._xml` (where every value is text, so the helpers here read
numbers and booleans from text too). Numbers in JSON are read as :class:`~decimal.Decimal`, so a
score of ``0.1`` stays ``0.1``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from imheval.errors import Problem, ProblemsError
from imheval.interop.common import decode_text
from imheval.interop.fhir._xml import read_fhir_xml
from imheval.interop.model import SourceFile

#: A FHIR resource or element, as JSON holds it.
Node = dict[str, Any]

#: imheval's own FHIR names. They need not resolve: FHIR uses URLs as names. An organisation
#: that runs imheval's questionnaire on its own server may give it its own canonical URL
#: (``write_questionnaire(..., canonical_base=...)``); the extension URLs stay imheval's.
IMHEVAL_FHIR = "https://imheval.org/fhir"
EXT_INSTRUMENT = f"{IMHEVAL_FHIR}/StructureDefinition/instrument"
EXT_DOMAIN = f"{IMHEVAL_FHIR}/StructureDefinition/domain"
EXT_QUESTION = f"{IMHEVAL_FHIR}/StructureDefinition/question"

#: Extensions that give an answer its score: R4's ordinalValue, R5 and the extensions pack's
#: itemWeight, and STU3's valueset-ordinalValue (kept for contained ValueSets that still use it).
SCORE_EXTENSIONS = ("ordinalValue", "itemWeight", "valueset-ordinalValue")
_HL7_EXTENSION = re.compile(r"^https?://hl7\.org/fhir/(?:extensions/)?StructureDefinition/(.+)$")
_SDC_EXTENSION = re.compile(r"^https?://hl7\.org/fhir/uv/sdc/StructureDefinition/(.+)$")

ErrorFactory = Callable[[list[Problem]], ProblemsError]


def many(node: Node, key: str) -> list[Any]:
    """``node[key]`` as a list: [] when absent, [value] when FHIR XML gave a single element."""
    value = node.get(key)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def nodes(node: Node, key: str) -> list[Node]:
    """The elements (objects) under ``key``; anything that is not an object is skipped."""
    return [value for value in many(node, key) if isinstance(value, dict)]


def text(node: Node, key: str) -> str | None:
    """A primitive element as text (a number as written), else None."""
    value = node.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | Decimal | float):
        return str(value)
    return None


def number(value: object) -> Decimal | None:
    """A JSON number or its text as an exact Decimal; None for anything else (and booleans)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return None
        return parsed if parsed.is_finite() else None
    return None


def whole(value: object) -> int | None:
    """A whole number (``6``, ``"6"``, ``6.0``) as int, else None."""
    parsed = number(value)
    if parsed is None or parsed != parsed.to_integral_value():
        return None
    return int(parsed)


def flag(value: object) -> bool | None:
    """A FHIR boolean (``true``/``false``, or its XML text), else None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip() in ("true", "false"):
        return value.strip() == "true"
    return None


def extension_name(url: str) -> str:
    """The short name of an HL7 core, extensions-pack or SDC extension (``ordinalValue``,
    ``sdc-questionnaire-calculatedExpression``); other URLs are returned whole."""
    for pattern in (_HL7_EXTENSION, _SDC_EXTENSION):
        match = pattern.match(url.strip())
        if match:
            return match.group(1)
    return url.strip()


def extensions(node: Node, *names: str) -> list[Node]:
    """The extensions of ``node`` whose URL is one of ``names`` (short HL7/SDC names, or whole
    URLs for anyone else's)."""
    wanted = set(names)
    return [
        extension
        for extension in nodes(node, "extension")
        if extension_name(str(extension.get("url", ""))) in wanted
    ]


def has_extension(node: Node, *names: str) -> bool:
    """Whether ``node`` carries any of the extensions named."""
    return bool(extensions(node, *names))


def sub_extension(extension: Node, name: str) -> list[Node]:
    """The nested extensions of a complex extension with this (relative) URL."""
    return [e for e in nodes(extension, "extension") if e.get("url") == name]


def sub_value(extension: Node, name: str) -> object:
    """The value[x] of the first nested extension named ``name``, else None."""
    for nested in sub_extension(extension, name):
        for key, value in nested.items():
            if key.startswith("value"):
                return value
    return None


def value_of(element: Node) -> tuple[str, object] | None:
    """The one ``value[x]`` of an element (its type name, e.g. ``Coding``, and value)."""
    for key, value in element.items():
        if key.startswith("value") and len(key) > len("value") and key[5].isupper():
            return key[5:], value
    return None


def score_of(element: Node) -> Decimal | None:
    """The score an ordinalValue/itemWeight extension on ``element`` gives, else None."""
    for extension in extensions(element, *SCORE_EXTENSIONS):
        for key, value in extension.items():
            if key.startswith("value"):
                parsed = number(value)
                if parsed is not None:
                    return parsed
    return None


def walk(items: list[Node]) -> Iterator[Node]:
    """Every item of a Questionnaire or QuestionnaireResponse, depth first, in document order
    (a response's answers may hold items too)."""
    for item in items:
        yield item
        yield from walk(nodes(item, "item"))
        for answer in nodes(item, "answer"):
            yield from walk(nodes(answer, "item"))


def load_resource(source: SourceFile, error: ErrorFactory) -> Node:
    """The FHIR resource in ``source`` (JSON, or XML read safely); ``error`` (InstrumentError or
    DataFormatError) naming the file when it is neither, or is not well formed (JSON errors say
    the line and column)."""
    head = source.data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head == b"<":
        return read_fhir_xml(source.data, source.name, error)
    content = decode_text(source)
    if not content.strip():
        raise error([Problem(file=source.name, message="the file is empty")])
    if not content.lstrip().startswith(("{", "[")):
        raise error(
            [
                Problem(
                    file=source.name,
                    message="this is neither FHIR JSON nor FHIR XML; export the resource from "
                    "the FHIR server as JSON (_format=json)",
                )
            ]
        )
    try:
        resource = json.loads(content, parse_float=Decimal, parse_constant=_no_constant)
    except json.JSONDecodeError as problem:
        raise error(
            [
                Problem(
                    file=source.name,
                    message=f"this is not valid JSON: {problem.msg} at line {problem.lineno}, "
                    f"column {problem.colno}; export it again, or fix it there",
                )
            ]
        ) from None
    except ValueError as problem:
        raise error(
            [Problem(file=source.name, message=f"this is not valid FHIR JSON ({problem})")]
        ) from None
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise error(
            [
                Problem(
                    file=source.name,
                    message="this JSON is not a FHIR resource (it has no resourceType); "
                    "export the resource itself from the FHIR server",
                )
            ]
        )
    return resource


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


#: Where FHIR versions other than R4/R5 show: the version in a core profile URL.
_PROFILE_VERSION = re.compile(
    r"hl7\.org/fhir/(?P<path>\d+\.\d+)(?:\.\d+)?/StructureDefinition/"
    r"|hl7\.org/fhir/StructureDefinition/[A-Za-z]+\|(?P<pipe>\d+\.\d+)"
)
_RELEASES = {"1.0": "DSTU2", "3.0": "STU3", "4.0": "R4", "4.3": "R4B", "5.0": "R5"}
_TO_EXPORT = (
    "imheval reads FHIR R4 and R5: export it again from the server as FHIR R4 (4.0.1) or R5 "
    "JSON, or convert it to R4 first (HL7 publishes STU3-to-R4 maps, and HAPI FHIR converts "
    "between versions)"
)


def version_problem(resource: Node) -> str | None:
    """Why ``resource`` is not FHIR R4/R5 (its STU3 or DSTU2 shape, or the version it states),
    or None. Checked: a ``fhirVersion`` element, core profiles with a version, and the elements
    R4 renamed (Questionnaire ``option``/``options``/``initial[x]``, QuestionnaireResponse
    ``questionnaire`` as a Reference, ``context``, ``parent``) or DSTU2's ``group``."""
    kind = str(resource.get("resourceType"))
    stated = text(resource, "fhirVersion")
    profiles = [str(p) for p in many(resource.get("meta") or {}, "profile")]
    for candidate in ([stated] if stated else []) + profiles:
        version = _stated_version(candidate)
        if version is not None and not version.startswith(("4.", "5.")):
            release = _RELEASES.get(version[:3], f"version {version}")
            return f"this {kind} says it is FHIR {release} ({candidate}); {_TO_EXPORT}"
    if "group" in resource and kind in ("Questionnaire", "QuestionnaireResponse"):
        return f"this {kind} is in the FHIR DSTU2 form (it has 'group'); {_TO_EXPORT}"
    if kind == "Questionnaire":
        for item in walk(nodes(resource, "item")):
            link = text(item, "linkId") or "?"
            for old, new in (("options", "answerValueSet"), ("option", "answerOption")):
                if old in item:
                    return (
                        f"this Questionnaire is in the FHIR STU3 form: item '{link}' has "
                        f"'{old}', which FHIR R4 renamed '{new}'; {_TO_EXPORT}"
                    )
            initial = [k for k in item if k.startswith("initial") and k != "initial" and k[7:8]]
            if any(k[7].isupper() for k in initial):
                return (
                    f"this Questionnaire is in the FHIR STU3 form: item '{link}' has "
                    f"'{initial[0]}', which FHIR R4 made 'initial'; {_TO_EXPORT}"
                )
    if kind == "QuestionnaireResponse":
        if isinstance(resource.get("questionnaire"), dict):
            return (
                "this QuestionnaireResponse is in the FHIR STU3 form: 'questionnaire' is a "
                f"Reference, where FHIR R4 has the Questionnaire's canonical URL; {_TO_EXPORT}"
            )
        for old in ("context", "parent"):
            if old in resource:
                return (
                    f"this QuestionnaireResponse is in the FHIR STU3 form: it has '{old}', "
                    f"which FHIR R4 removed; {_TO_EXPORT}"
                )
    return None


def _stated_version(candidate: str) -> str | None:
    if re.fullmatch(r"\d+\.\d+(\.\d+)?(-\w+)?", candidate.strip()):
        return candidate.strip()
    match = _PROFILE_VERSION.search(candidate)
    if match:
        return match.group("path") or match.group("pipe")
    return None


def is_hidden(item: Node) -> bool:
    """Whether the item carries questionnaire-hidden = true."""
    return any(flag(e.get("valueBoolean")) for e in extensions(item, "questionnaire-hidden"))


def expression_of(extension: Node) -> str:
    """The FHIRPath (or other) expression of an Expression-valued extension."""
    for key, value in extension.items():
        if key.startswith("value") and isinstance(value, dict):
            return text(value, "expression") or text(value, "reference") or "?"
    return "?"


def variables_message(variables: list[Node]) -> str:
    """An omission's message for FHIRPath variable extensions."""
    names = []
    for variable in variables:
        for key, value in variable.items():
            if key.startswith("value") and isinstance(value, dict):
                names.append(text(value, "name") or "?")
    shown = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "")
    return (
        f"{len(variables)} FHIRPath variable(s) ({shown}) used by its calculations; not carried "
        "(imheval scores the answers itself)"
    )


def has_translations(resource: Node) -> bool:
    """Whether any item text carries a translation extension."""
    for item in walk(nodes(resource, "item")):
        for primitive in nodes(item, "_text"):
            if has_extension(primitive, "translation"):
                return True
    return False


_ARTICLES = {"Observation": "an", "Organization": "an", "Encounter": "an", "OperationOutcome": "an"}


def a_resource(kind: str) -> str:
    """``a Patient``, ``an Observation``: a resource type with its article, for messages."""
    article = _ARTICLES.get(kind, "an" if kind[:1].lower() in "aeiou" else "a")
    return f"{article} {kind}"
