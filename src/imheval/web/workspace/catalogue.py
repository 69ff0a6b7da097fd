"""The instruments an organisation can use: the built-in bank, then its own uploads."""

from __future__ import annotations

from dataclasses import dataclass

from imheval.errors import InstrumentError
from imheval.instruments import Instrument, list_builtin
from imheval.web.organisations.models import Organisation
from imheval.web.workspace.models import InstrumentFile


@dataclass(frozen=True)
class CatalogueEntry:
    """One instrument as the workspace lists it.

    ``instrument`` is None only for an upload that no longer reads (``problem`` then says why).
    """

    instrument_id: str
    title: str
    instrument: Instrument | None
    file: InstrumentFile | None = None
    problem: str = ""

    @property
    def built_in(self) -> bool:
        return self.file is None

    @property
    def domains(self) -> list[str]:
        return [domain.label for domain in self.instrument.domains] if self.instrument else []

    @property
    def item_count(self) -> int:
        """How many questions one person answers: every item, or with parallel forms one
        form's (the largest form's when they differ)."""
        if self.instrument is None:
            return 0
        if not self.instrument.forms:
            return len(self.instrument.items)
        return max(len(self.instrument.form_items(f)) for f in self.instrument.form_ids)

    @property
    def items_text(self) -> str:
        """The item count as the instrument lists show it: "20", or "38 a form (2 forms)"."""
        forms = len(self.instrument.forms) if self.instrument is not None else 0
        return f"{self.item_count} a form ({forms} forms)" if forms else str(self.item_count)

    @property
    def summary(self) -> str:
        """For example "built in: Knowledge, Self-efficacy; 20 items", or with parallel forms
        "...; 38 items a form, 2 forms"."""
        origin = "built in" if self.built_in else "uploaded"
        if self.instrument is None:
            return f"{origin}: this file no longer reads"
        forms = len(self.instrument.forms)
        count = f"{self.item_count} items" + (f" a form, {forms} forms" if forms else "")
        return f"{origin}: {', '.join(self.domains)}; {count}"


def built_in_entry(instrument: Instrument) -> CatalogueEntry:
    return CatalogueEntry(instrument.id, instrument.title, instrument)


def file_entry(file: InstrumentFile) -> CatalogueEntry:
    """The entry of an uploaded file, saying what is wrong if it no longer reads."""
    try:
        return CatalogueEntry(file.instrument_id, file.title, file.instrument(), file)
    except InstrumentError as error:
        return CatalogueEntry(file.instrument_id, file.title, None, file, str(error))


def built_in_entries() -> list[CatalogueEntry]:
    return [built_in_entry(instrument) for instrument in list_builtin()]


def uploaded_entries(organisation: Organisation) -> list[CatalogueEntry]:
    files = (
        InstrumentFile.objects.in_organisation(organisation)
        .select_related("replaces")
        .prefetch_related("replaced_by")
    )
    return [file_entry(file) for file in files]


def catalogue(organisation: Organisation) -> list[CatalogueEntry]:
    """Every instrument ``organisation`` may choose: built in first, then uploads, each by id."""
    return built_in_entries() + uploaded_entries(organisation)


def titles(organisation: Organisation) -> dict[str, str]:
    """Instrument id -> title, for showing a collection's ``instrument_refs``."""
    return {entry.instrument_id: entry.title for entry in catalogue(organisation)}
