"""Reading a REDCap data dictionary (CSV, or a shared-instrument ZIP) into an instrument.

A data dictionary lists a project's fields, one a row (see :mod:`._dict_file` for the
headers of every REDCap vintage, the API's JSON, and instrument ZIPs). What becomes what:

- **Choice questions** (``radio``, ``dropdown``, ``yesno`` = 1 Yes / 0 No, ``truefalse`` =
  1 True / 0 False, and each option of a ``checkbox`` field, as ``field___code`` with the
  options 1 Ticked / 0 Not ticked):

  - **keyed** when a ``calc`` field scores them: ``if([k1]='1',1,0)`` (quoted or not, single or
    double quotes, ``or`` for several right answers, points other than 1), sums of such, and
    ``[f(code)]`` for a checkbox option;
  - **rating** items when a calc adds their answer, ``[s1]+[s2]``, ``sum([s1],[s2])``, or
    ``(6-[s3])`` (reversed, when 6 = min + max), or when they sit in a matrix group, or share
    the same whole-number choice list (3 or more points) with another question; the scale is
    shared by the questions with the same codes and labels, named after the matrix group (else
    ``scale_1``, ``scale_2``...);
  - otherwise **unkeyed**: left out and listed (:attr:`InstrumentImport.unkeyed`) so that their
    key can be given (``--key FIELD=CODE``).

  Missing-data codes (77, 99, 777, 999... labelled "Don't know", "Refused" and the like) are
  not options: such an answer is read as not an option ("invalid"), which the omissions say.
- **Free text** (``notes``, and ``text`` fields without a date, time or number validation)
  becomes open questions, except the self-generated code (the text field whose name holds
  "code"), cohort, timepoint, programme, directorate and profession fields, and fields that
  identify people (Identifier? = y, or a name or validation such as email or phone).
- The **first field is the record id** (REDCap's rule), never a question.
- **Domains** come from section headers (id: the header made an identifier, lower case); a
  question under no header takes the domain of the calc that scores it, else its form's (when
  the dictionary has several forms), else one domain named after the instrument.
- Everything else (descriptive text, files, signatures, sliders, dynamic SQL, dates, numbers,
  hidden fields, calcs that do not score, branching logic, action tags) is listed as an
  :class:`~imheval.interop.model.Omission`.

A dictionary written by :func:`imheval.interop.redcap.export.write_dictionary` carries, in its
field annotations, what REDCap has no place for (``@IMHEVAL-ID=KA01``, the domain, the scale,
the instrument's id and version): reading it gives back the same instrument.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

from pydantic import ValidationError

from imheval.errors import InstrumentError, Problem
from imheval.instruments import Instrument, TrainingLevel
from imheval.instruments.model import (
    BARR_LEVELS,
    FORMAT_V1,
    CrossReferenceError,
)
from imheval.interop.common import make_identifier
from imheval.interop.model import (
    InstrumentImport,
    KeysNeededError,
    Omission,
    PendingImport,
    SourceFile,
    System,
    UnkeyedQuestion,
)
from imheval.interop.redcap._dict_fields import (
    Role,
    check_rows,
    classify,
    first_is_record_id,
    read_fields,
)
from imheval.interop.redcap._dict_file import read_dictionary_file
from imheval.interop.redcap._dict_questions import (
    IDENTIFIER,
    Question,
    QuestionReader,
)
from imheval.interop.redcap._dict_questions import (
    RESERVED_IDS as RESERVED_IDS,  # re-exported: tests name it here
)
from imheval.interop.redcap._dict_scoring import read_calcs
from imheval.interop.redcap._dict_text import clean_label, humanise

__all__ = ["read_dictionary"]

#: Column names of imheval's tidy layout, never an item id.
_LEVELS = tuple(level.value for level in TrainingLevel)
#: Words a calc's label ends with that are not part of its domain's name ("Knowledge score").
_SCORE_WORDS = re.compile(r"[\s:(\-]*(?:total\s+)?(?:score|total|sum|scale score)\)?\s*$", re.I)


def read_dictionary(
    source: SourceFile, *, keys: Mapping[str, Sequence[str]] | None = None
) -> InstrumentImport:
    """The instrument a REDCap data dictionary (CSV, the API's JSON metadata) or instrument ZIP
    describes, with how each question appears in REDCap and what could not be carried (see the
    module docstring).

    ``keys`` (optional) gives the answer key of choice questions no calculation scores, by
    field name (a checkbox option by its ``field___code`` column) or item id, as option codes
    or labels: they are keyed as the dictionary is read. This is what lets a dictionary that
    scores nothing at all be read (:func:`imheval.interop.convert.apply_keys` can only key
    questions of an instrument already read); a name or code that matches nothing is an
    InstrumentError naming it.

    Raises :class:`~imheval.errors.InstrumentError` listing every problem (each naming the
    file, and the row and column where there is one) when the file is not a data dictionary
    (another REDCap file is named, with the file to download instead), cannot be read, has
    fields of unknown type or repeated names, or holds no question imheval can use.
    """
    dictionary = read_dictionary_file(source)
    problems = check_rows(dictionary)
    if problems:
        raise InstrumentError(problems)
    fields = read_fields(dictionary)
    classify(fields, first_is_record_id(dictionary, fields))
    return _Builder(dictionary, fields, read_calcs(fields)).build(keys or {})


class _Builder(QuestionReader):
    """Questions placed in domains and assembled into the instrument."""

    # -----------------------------------------------------------------------------------------

    def build(self, keys: Mapping[str, Sequence[str]]) -> InstrumentImport:
        for item in self.fields:
            if item.role is Role.CHOICE:
                self._choice(item)
            elif item.role is Role.OPEN:
                self._open(item)
            elif item.role in (Role.NOT_CARRIED, Role.IDENTIFYING):
                self.omissions.append(Omission(where=f"field '{item.name}'", message=item.reason))
        if keys:
            self._apply_keys(keys)
        self.omissions += self.calcs.omissions
        code_field = self._code_field()
        instrument_id, title = self._identity()
        self._place_in_domains(instrument_id, title)
        carried = [q for q in self.questions if q.kind != "unkeyed"]
        if not any(q.scored for q in carried):
            self._refuse_unscored(instrument_id, title, code_field)
        instrument = self._instrument(instrument_id, title, carried)
        unkeyed = self._unkeyed()
        return InstrumentImport(
            instrument=instrument,
            system=System.REDCAP,
            answers=tuple(q.answers for q in carried),
            omissions=tuple(self.omissions),
            code_field=code_field,
            cohort_field=self._first(Role.COHORT),
            timepoint_field=self._first(Role.TIMEPOINT),
            identifying=tuple(f.name for f in self.fields if f.role is Role.IDENTIFYING),
            unkeyed=unkeyed,
        )

    def _first(self, role: Role) -> str | None:
        return next((f.name for f in self.fields if f.role is role), None)

    def _code_field(self) -> str | None:
        candidates = [f.name for f in self.fields if f.role is Role.CODE]
        if self.ours is not None and self.ours.role is Role.CODE:
            return self.ours.name
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            names = ", ".join(f"'{name}'" for name in candidates)
            self.omissions.append(
                Omission(
                    where=f"fields {names}",
                    message="each could hold the self-generated code; name the one that does "
                    "with --code-field when converting the records",
                )
            )
        return None

    # -----------------------------------------------------------------------------------------
    # Domains and the instrument

    def _identity(self) -> tuple[str, str]:
        if self.ours is not None:
            wanted = self.ours.tags.get("INSTRUMENT", "")
            title = clean_label(self.ours.row.section_header) or humanise(self.ours.row.form_name)
            if IDENTIFIER.match(wanted):
                return wanted, title
        forms = list(dict.fromkeys(q.origin.row.form_name for q in self.questions))
        if len(forms) == 1 and forms[0]:
            name = forms[0]
        else:
            name = PurePath(self.file.removesuffix(" (instrument.csv)")).stem
        return make_identifier(name).lower(), humanise(name)

    def _place_in_domains(self, instrument_id: str, title: str) -> None:
        multiple_forms = len({q.origin.row.form_name for q in self.questions}) > 1
        for question in self.questions:
            question.domain = self._domain_of(question, instrument_id, title, multiple_forms)
        scored = {q.domain for q in self.questions if q.scored}
        for question in self.questions:
            if question.kind == "open" and question.domain not in scored:
                question.domain = None

    def _domain_of(
        self, question: Question, instrument_id: str, title: str, multiple_forms: bool
    ) -> str | None:
        item = question.origin
        section = item.section
        if "ID" in item.tags:
            wanted = item.tags.get("DOMAIN", "")
            if IDENTIFIER.match(wanted):
                self.domain_labels.setdefault(wanted, section or self._calc_label(wanted) or wanted)
                return wanted
            if question.kind == "open":
                return None
        if section:
            domain = _domain_id(section)
            self.domain_labels.setdefault(domain, section)
            return domain
        calc = self.calcs.scored_by.get((item.name, question.option))
        if calc is not None:
            label = _SCORE_WORDS.sub("", calc.label).strip() or calc.label or calc.name
            domain = calc.tags.get("DOMAIN", "")
            if not IDENTIFIER.match(domain):
                domain = _domain_id(label)
            self.domain_labels.setdefault(domain, label)
            return domain
        if multiple_forms:
            domain = _domain_id(item.row.form_name)
            self.domain_labels.setdefault(domain, humanise(item.row.form_name))
            return domain
        self.domain_labels.setdefault(instrument_id, title)
        return instrument_id

    def _calc_label(self, domain: str) -> str:
        for calc in self.calcs.calcs:
            if calc.tags.get("DOMAIN") == domain:
                return _SCORE_WORDS.sub("", calc.label).strip()
        return ""

    def _domain_order(self, carried: Sequence[Question]) -> list[str]:
        order = list(dict.fromkeys(q.domain for q in carried if q.scored and q.domain))
        calc_order = [c.tags.get("DOMAIN") for c in self.calcs.calcs if c.tags.get("DOMAIN")]
        ranked = {domain: position for position, domain in enumerate(calc_order)}
        return sorted(order, key=lambda d: ranked.get(d, len(ranked)))

    def _instrument(self, instrument_id: str, title: str, carried: list[Question]) -> Instrument:
        tags = self.ours.tags if self.ours is not None else {}
        levels = [level for level in tags.get("LEVELS", "").split(",") if level in _LEVELS]
        forms = _forms(tags.get("FORMS", ""))
        form_ids = {form["id"] for form in forms}
        used_scales = {q.scale for q in carried if q.kind == "rating"}
        description = next((f.label for f in self.fields if f.role is Role.DESCRIPTION), "")
        document: dict[str, Any] = {
            "format": FORMAT_V1,
            "id": instrument_id,
            "version": tags.get("VERSION") or "1.0.0",
            "title": title,
            "description": description,
            "language": tags.get("LANGUAGE") or "en-GB",
            "levels": levels or list(_LEVELS),
            "domains": [self._domain_document(domain) for domain in self._domain_order(carried)],
            "scales": {
                name: {"min": s.min, "max": s.max, "labels": dict(s.labels)}
                for name, s in self.scales.items()
                if name in used_scales
            },
            "items": [_item_document(q, form_ids) for q in carried],
        }
        if forms:
            document["forms"] = forms
        self._check_competencies(document, tags.get("FRAMEWORK", ""))
        try:
            return Instrument.model_validate(document)
        except ValidationError as error:
            raise InstrumentError(
                [
                    self._invalid(_error_field(entry, carried), entry["msg"])
                    for entry in error.errors()
                ]
            ) from None
        except CrossReferenceError as error:
            raise InstrumentError([self._invalid("", str(error))]) from None

    def _invalid(self, where: str, message: str) -> Problem:
        place = f" ({where})" if where else ""
        return Problem(
            file=self.file,
            message=f"the instrument read from this dictionary is not valid{place}: "
            f"{message.removeprefix('Value error, ')}; correct the dictionary and read it again",
        )

    def _check_competencies(self, document: dict[str, Any], framework: str) -> None:
        """Competencies are kept only under a framework imheval knows (the framework travels on
        the code field, which may have been deleted); otherwise left out with an omission."""
        from imheval.instruments.frameworks import FRAMEWORKS

        known = FRAMEWORKS.get(framework)
        if framework and known is None:
            self.omissions.append(
                Omission(
                    where=f"field '{self.ours.name if self.ours else ''}'",
                    message=f"the competency framework '{framework}' is not one imheval knows, "
                    "so it and the questions' competencies are left out",
                )
            )
        if known is not None:
            document["framework"] = framework
        dropped: list[str] = []
        for item in document["items"]:
            listed = item.get("competencies")
            if not listed:
                continue
            kept = [c for c in listed if known is not None and c in known.domain_ids]
            if len(kept) != len(listed):
                dropped.append(item["id"])
            if kept:
                item["competencies"] = kept
            else:
                item.pop("competencies")
        if dropped and (known is not None or not framework):
            names = ", ".join(f"'{name}'" for name in dropped[:10])
            more = f" and {len(dropped) - 10} more" if len(dropped) > 10 else ""
            why = (
                "no competency framework is named (imheval's exported code field, which names "
                "it, is not in this dictionary)"
                if known is None
                else f"they are not domains of {framework}"
            )
            self.omissions.append(
                Omission(
                    where=f"questions {names}{more}",
                    message=f"their competencies are left out: {why}",
                )
            )

    def _domain_document(self, domain: str) -> dict[str, Any]:
        document: dict[str, Any] = {"id": domain, "label": self.domain_labels.get(domain) or domain}
        calc = next((c for c in self.calcs.calcs if c.tags.get("DOMAIN") == domain), None)
        if calc is not None:
            document["description"] = clean_label(calc.row.field_note)
            level = calc.tags.get("KIRKPATRICK", "")
            if level in ("1", "2", "3", "4"):
                document["kirkpatrick_level"] = int(level)
            barr = calc.tags.get("BARR", "")
            if barr in BARR_LEVELS and barr[0] == str(document.get("kirkpatrick_level", barr[0])):
                document["barr_level"] = barr
        return document

    def _unkeyed(self) -> tuple[UnkeyedQuestion, ...]:
        found: list[UnkeyedQuestion] = []
        previous: str | None = None
        for question in self.questions:
            if question.kind != "unkeyed":
                previous = question.item_id
                continue
            options = "; ".join(
                f"{code} = {label}" for code, label in list(question.options.items())[:6]
            )
            more = " ..." if len(question.options) > 6 else ""
            where = (
                f"field '{question.origin.name}', column '{question.source}'"
                if question.answers.columns
                else f"field '{question.origin.name}'"
            )
            self.omissions.append(
                Omission(
                    where=where,
                    message="a choice question with no answer key (no calculation scores it), "
                    f"so it is left out; to score it, give its key with --key "
                    f"{question.source}=CODE (its options: {options}{more})",
                )
            )
            found.append(
                UnkeyedQuestion(
                    item=question.item_id,
                    source=question.source,
                    text=question.text,
                    domain=question.domain or "",
                    options=dict(question.options),
                    answers=question.answers,
                    after=previous,
                    domain_label=self.domain_labels.get(question.domain or "", "")
                    or (question.domain or ""),
                )
            )
        return tuple(found)

    def _refuse_unscored(self, instrument_id: str, title: str, code_field: str | None) -> None:
        """Nothing is scored: KeysNeededError (with what was read, so that keys can finish the
        import) when there are choice questions to key, else InstrumentError."""
        problem = self._nothing_scored()
        if not any(q.kind == "unkeyed" for q in self.questions):
            raise InstrumentError([problem])
        unkeyed = self._unkeyed()
        opened = [q for q in self.questions if q.kind == "open"]
        if opened:
            names = ", ".join(f"'{q.origin.name}'" for q in opened[:10])
            self.omissions.append(
                Omission(
                    where=f"fields {names}" if len(opened) > 1 else f"field {names}",
                    message="free text is carried only beside a scored question, and no "
                    "question here is scored yet, so it is left out",
                )
            )
        domains = list(dict.fromkeys(q.domain for q in unkeyed))
        fields: dict[str, Any] = {
            "format": FORMAT_V1,
            "id": instrument_id,
            "version": "1.0.0",
            "title": title,
            "language": "en-GB",
            "levels": list(_LEVELS),
            "domains": [{"id": d, "label": self.domain_labels.get(d) or d} for d in domains],
        }
        pending = PendingImport(
            fields=fields,
            system=System.REDCAP,
            unkeyed=unkeyed,
            omissions=tuple(self.omissions),
            code_field=code_field,
            cohort_field=self._first(Role.COHORT),
            timepoint_field=self._first(Role.TIMEPOINT),
            identifying=tuple(f.name for f in self.fields if f.role is Role.IDENTIFYING),
        )
        raise KeysNeededError([problem], pending)

    def _nothing_scored(self) -> Problem:
        unkeyed = [q.source for q in self.questions if q.kind == "unkeyed"]
        opened = [q for q in self.questions if q.kind == "open"]
        if unkeyed:
            listed = ", ".join(f"'{name}'" for name in unkeyed[:10])
            more = f" and {len(unkeyed) - 10} more" if len(unkeyed) > 10 else ""
            return Problem(
                file=self.file,
                message="no question in this dictionary is scored: no calculation scores its "
                f"choice questions ({listed}{more}) and none is a rating scale (a matrix group, "
                "or a whole-number choice list shared by several questions). Give the answer "
                "key of at least one with --key FIELD=CODE, or add a calc field that scores "
                "them, e.g. if([k1]='1',1,0)",
            )
        record = self.fields[0] if self.fields and self.fields[0].role is Role.RECORD_ID else None
        what = f" besides the record ID field '{record.name}' (the first field)" if record else ""
        opens = (
            f" (it has {len(opened)} free-text question(s), which are never scored)"
            if opened
            else ""
        )
        return Problem(
            file=self.file,
            message=f"this dictionary has no choice question imheval can score{what}{opens}: "
            "imheval needs radio, dropdown, yes/no, true/false or checkbox fields",
        )


def _domain_id(label: str) -> str:
    """A domain id from a section header: the header made an identifier, in lower case."""
    return make_identifier(label).lower().rstrip("_.-") or "domain"


def _item_document(question: Question, form_ids: set[str]) -> dict[str, Any]:
    document: dict[str, Any] = {
        "kind": question.kind,
        "id": question.item_id,
        "text": question.text,
    }
    if question.domain is not None:
        document["domain"] = question.domain
    form = question.origin.tags.get("FORM")
    if form in form_ids:
        document["form"] = form
    if question.scored:
        tags = question.origin.tags
        if tags.get("CONCEPT"):
            document["concept"] = tags["CONCEPT"]
        if tags.get("COMPETENCIES"):
            document["competencies"] = [c for c in tags["COMPETENCIES"].split(",") if c]
    if question.kind == "keyed":
        document.update(options=question.options, key=list(question.key), points=question.points)
    elif question.kind == "rating":
        document.update(scale=question.scale, reverse=question.reverse)
    else:
        document["max_length"] = question.max_length
    return document


def _error_field(entry: Mapping[str, Any], carried: Sequence[Question]) -> str:
    """Where a validation error is, as the dictionary names it: "field 'k1'" for an item."""
    location = tuple(entry.get("loc", ()))
    if (
        len(location) >= 2
        and location[0] == "items"
        and isinstance(location[1], int)
        and location[1] < len(carried)
    ):
        return f"field '{carried[location[1]].origin.name}'"
    return ".".join(str(part) for part in location)


def _forms(listed: str) -> list[dict[str, str]]:
    from urllib.parse import unquote

    forms = []
    for entry in filter(None, listed.split(",")):
        form_id, _, label = entry.partition(":")
        form_id = unquote(form_id)
        if IDENTIFIER.match(form_id):
            forms.append({"id": form_id, "label": unquote(label)})
    return forms if len(forms) >= 2 else []
