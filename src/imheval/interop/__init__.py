"""Bringing data in from other systems and sending instruments back out.

REDCap, Microsoft Forms, LimeSurvey and FHIR Questionnaire: their structure files become
imheval instruments, their exports become responses in imheval's tidy layout, and an imheval
instrument can be written as each system's structure file (not Forms, which has none). See
docs/interoperability.md. The shared shapes are in :mod:`imheval.interop.model`.
"""

from imheval.interop.convert import (
    Exported,
    apply_keys,
    convert,
    export_instrument,
    read_structure,
    structure_for_instrument,
    write_conversion,
)
from imheval.interop.model import (
    AnswerMap,
    Conversion,
    InstrumentImport,
    KeysNeededError,
    Omission,
    PendingImport,
    ResponseOptions,
    ResponsesImport,
    SourceFile,
    System,
    UnkeyedQuestion,
)

__all__ = [
    "AnswerMap",
    "Conversion",
    "Exported",
    "InstrumentImport",
    "KeysNeededError",
    "Omission",
    "PendingImport",
    "ResponseOptions",
    "ResponsesImport",
    "SourceFile",
    "System",
    "UnkeyedQuestion",
    "apply_keys",
    "convert",
    "export_instrument",
    "read_structure",
    "structure_for_instrument",
    "write_conversion",
]
