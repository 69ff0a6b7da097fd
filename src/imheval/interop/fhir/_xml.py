"""FHIR XML turned into the shape FHIR JSON has, read safely.

FHIR XML writes a primitive as ``<linkId value="k1"/>``, a complex element as nested elements,
an extension's URL as an attribute, and a resource held inside another (``contained``, a Bundle
entry's ``resource``) as an element named after its type. The JSON shape is: primitives as text
(every value is text here: numbers and booleans are read from text by the helpers in
:mod:`._resource`), complex elements as objects, repeated elements as lists (elements that FHIR
allows to repeat are always lists, so one ``<item>`` is a list of one), and the extensions of a
primitive under ``_name``, as FHIR JSON puts them. The narrative (XHTML ``div``) is skipped.

Threat model: the file comes from outside. It is parsed by lxml with entity expansion, DTDs,
the network and huge trees switched off, and a DOCTYPE or ENTITY declaration is refused outright
(FHIR XML never needs one), so no entity can be expanded and nothing is fetched.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from imheval.errors import Problem, ProblemsError

FHIR_NAMESPACE = "http://hl7.org/fhir"
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

#: Elements whose child element is a whole resource named by its type.
_RESOURCE_HOLDERS = frozenset({"contained", "resource", "outcome"})
#: Elements that may repeat, in the resources imheval reads: always lists.
_REPEATING = frozenset(
    {
        "item",
        "answer",
        "answerOption",
        "extension",
        "modifierExtension",
        "contained",
        "entry",
        "link",
        "concept",
        "include",
        "exclude",
        "contains",
        "coding",
        "tag",
        "security",
        "profile",
        "enableWhen",
        "initial",
        "property",
        "subjectType",
        "useContext",
        "designation",
    }
)


def _parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def read_fhir_xml(
    data: bytes, file: str, error: Callable[[list[Problem]], ProblemsError]
) -> dict[str, Any]:
    """The FHIR resource in XML ``data`` in FHIR JSON's shape; ``error`` naming ``file`` when it
    declares a DOCTYPE or entities, is not well formed, or is not FHIR XML."""
    declared = error(
        [
            Problem(
                file=file,
                message="the XML declares a DOCTYPE or entities, which FHIR XML never needs "
                "(refused, so that nothing can be expanded or fetched); export it again from "
                "the FHIR server",
            )
        ]
    )
    if _DECLARATION.search(data):
        raise declared
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as problem:
        line = f" at line {problem.lineno}" if problem.lineno else ""
        raise error(
            [
                Problem(
                    file=file,
                    message=f"this is not well-formed XML{line} ({problem.msg}); export it "
                    "again from the FHIR server",
                )
            ]
        ) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise declared
    namespace, name = _split(root.tag)
    if namespace != FHIR_NAMESPACE:
        shown = f"'{namespace}'" if namespace else "no namespace"
        raise error(
            [
                Problem(
                    file=file,
                    message=f"this XML is not FHIR (its root element <{name}> has {shown}, "
                    f"not the FHIR namespace {FHIR_NAMESPACE}); export the resource from the "
                    "FHIR server as JSON or FHIR XML",
                )
            ]
        )
    return _resource(root)


def _split(tag: object) -> tuple[str, str]:
    text = str(tag)
    if text.startswith("{"):
        namespace, _, name = text[1:].partition("}")
        return namespace, name
    return "", text


def _resource(element: Any) -> dict[str, Any]:
    _, kind = _split(element.tag)
    resource: dict[str, Any] = {"resourceType": kind}
    resource.update(_children(element))
    return resource


def _children(element: Any) -> dict[str, Any]:
    gathered: dict[str, list[Any]] = {}
    primitive_extensions: dict[str, list[Any]] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        namespace, name = _split(child.tag)
        if namespace != FHIR_NAMESPACE:
            continue
        if name in _RESOURCE_HOLDERS:
            inner = [c for c in child if isinstance(c.tag, str)]
            if inner:
                gathered.setdefault(name, []).append(_resource(inner[0]))
            continue
        value = child.get("value")
        if value is not None:
            gathered.setdefault(name, []).append(value)
            extra = _children(child)
            if extra:
                primitive_extensions.setdefault(name, []).append(extra)
            continue
        node: dict[str, Any] = {}
        if child.get("url") is not None:
            node["url"] = child.get("url")
        if child.get("id") is not None:
            node["id"] = child.get("id")
        node.update(_children(child))
        gathered.setdefault(name, []).append(node)
    result: dict[str, Any] = {}
    for name, values in gathered.items():
        result[name] = values if name in _REPEATING or len(values) > 1 else values[0]
    for name, values in primitive_extensions.items():
        result[f"_{name}"] = values[0] if len(values) == 1 else values
    return result
