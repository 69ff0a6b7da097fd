"""The rows of a REDCap data dictionary as imheval reads them, whatever file they came from (a
CSV, JSON metadata, an instrument ZIP or the project XML): :class:`Row` and
:class:`DictionaryFile`, kept apart from the readers so each reader can build them without
importing another."""

from __future__ import annotations

from dataclasses import dataclass

#: Where a person downloads the data dictionary, for messages.
DOWNLOAD_DICTIONARY = (
    "in REDCap: Project Setup > Data Dictionary > 'Download the current Data Dictionary' "
    "(or Designer > Data Dictionary)"
)

#: The header each column is named by in messages when the file has no header of its own.
HEADINGS = {
    "field_name": "Variable / Field Name",
    "form_name": "Form Name",
    "field_type": "Field Type",
    "field_label": "Field Label",
    "choices": "Choices, Calculations, OR Slider Labels",
    "matrix_group": "Matrix Group Name",
}


@dataclass(frozen=True)
class Row:
    """One field of the dictionary, every cell text ("" when blank)."""

    number: int  # the row a spreadsheet shows (header = 1); the entry number for JSON
    field_name: str
    form_name: str
    section_header: str
    field_type: str
    field_label: str
    choices: str
    field_note: str
    validation: str
    validation_min: str
    validation_max: str
    identifier: str
    branching_logic: str
    required: str
    alignment: str
    question_number: str
    matrix_group: str
    matrix_ranking: str
    annotation: str


@dataclass(frozen=True)
class DictionaryFile:
    """A dictionary's rows, with the file name to use in messages and the header of each
    column read (to name columns in messages as the file names them)."""

    file: str
    rows: tuple[Row, ...]
    headings: dict[str, str]
    #: Read from an instrument ZIP (whose first field need not be the record id).
    from_zip: bool = False

    def heading(self, column: str) -> str:
        """The file's own header of ``column`` (e.g. "Field Type", or "field_type")."""
        return self.headings.get(column, HEADINGS.get(column, column))
