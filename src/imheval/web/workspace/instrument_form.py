"""What the editor page shows for a draft: each field with its label, hint and errors.

The page (``workspace/instrument_editor.html``) renders these NHS.UK form fields in order; a
field's ``name`` is both its form name and its id, which the error summary links to.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from imheval.instruments.frameworks import FRAMEWORKS
from imheval.instruments.model import BARR_LEVELS, TrainingLevel
from imheval.web.workspace.instrument_draft import (
    JURISDICTIONS,
    Draft,
    DraftDomain,
    DraftItem,
    DraftScale,
    DraftTerm,
    EditorProblem,
    declared_forms,
)

_KIRKPATRICK = (
    ("1", "1: reaction"),
    ("2", "2: learning"),
    ("3", "3: behaviour"),
    ("4", "4: results"),
)

#: Barr's sub-levels (instruments.model.BARR_LEVELS), "" for a domain not tagged.
_BARR = (("", "Not tagged"), *((tag, f"{tag}: {words}") for tag, words in BARR_LEVELS.items()))


@dataclass(frozen=True)
class EditorField:
    name: str
    label: str
    value: Any
    kind: str = "text"  # text, textarea, select, checkbox, checkboxes or radios
    hint: str = ""
    context: str = ""  # read by screen readers after the label, e.g. " of question 3"
    errors: tuple[str, ...] = ()
    choices: tuple[tuple[str, str], ...] = ()
    width: str = ""
    rows: int = 3
    read_only: bool = False


@dataclass(frozen=True)
class EditorEntry:
    """One domain, scale or question: its heading, fields and buttons."""

    section: str
    index: int
    heading: str
    fields: tuple[EditorField, ...]
    last: bool
    keyed: tuple[EditorField, ...] = ()
    rating: tuple[EditorField, ...] = ()
    kind: str = ""
    more: tuple[EditorField, ...] = ()  # a question's form, competencies and evidence
    open: tuple[EditorField, ...] = ()  # an open question's longest answer


@dataclass(frozen=True)
class EditorForm:
    details: tuple[EditorField, ...]
    domains: tuple[EditorEntry, ...]
    scales: tuple[EditorEntry, ...]
    items: tuple[EditorEntry, ...]
    section_errors: dict[str, list[str]] = field(default_factory=dict)
    more: tuple[EditorField, ...] = ()  # parallel forms and the competency framework
    terms: tuple[EditorEntry, ...] = ()


def editor_form(draft: Draft, problems: list[EditorProblem], *, id_fixed: bool) -> EditorForm:
    """The fields of ``draft``, each carrying the problems tied to it."""
    errors: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        errors[problem.anchor].append(problem.text)
    fields_of = _Fields(errors)
    return EditorForm(
        details=_details(draft, fields_of, id_fixed),
        domains=tuple(
            _domain(i, d, fields_of, len(draft.domains)) for i, d in enumerate(draft.domains)
        ),
        scales=tuple(
            _scale(i, s, fields_of, len(draft.scales)) for i, s in enumerate(draft.scales)
        ),
        items=tuple(_item(i, item, draft, fields_of) for i, item in enumerate(draft.items)),
        section_errors={
            k: v
            for k, v in errors.items()
            if k in ("domains", "details", "scales", "items", "terms")
        },
        more=_more(draft, fields_of),
        terms=tuple(_term(i, t, fields_of, len(draft.terms)) for i, t in enumerate(draft.terms)),
    )


class _Fields:
    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors

    def __call__(self, name: str, label: str, value: Any, **options: Any) -> EditorField:
        return EditorField(name, label, value, errors=tuple(self.errors.get(name, ())), **options)


def _details(draft: Draft, make: _Fields, id_fixed: bool) -> tuple[EditorField, ...]:
    levels = tuple((level.value, level.value.capitalize()) for level in TrainingLevel)
    id_hint = (
        "The id stays the same when you edit in place, because questionnaires may use it."
        if id_fixed
        else "A short name recorded with every result: a letter, then letters, digits, "
        "'-', '_' or '.', for example trust-imh-core"
    )
    return (
        make("title", "Title", draft.title, hint="The name people see, for example "
             "Infant mental health questionnaire (our version)"),
        make("id", "Id", draft.id, hint=id_hint, width="nhsuk-input--width-20",
             read_only=id_fixed),
        make("version", "Version", draft.version, width="nhsuk-input--width-10",
             hint="Change it whenever you change wording, options, the answer key or a scale, "
             "for example 2 or 1.0.1"),
        make("description", "Description (optional)", draft.description, kind="textarea",
             hint="What it measures, who it is for and where it came from"),
        make("levels", "Training levels it fits", draft.levels, kind="checkboxes",
             choices=levels, hint="Select all that apply"),
        make("language", "Language", draft.language, width="nhsuk-input--width-10",
             hint="A language tag, for example en-GB"),
    )  # fmt: skip


def _more(draft: Draft, make: _Fields) -> tuple[EditorField, ...]:
    frameworks = (("", "None"), *((f.id, f.title) for f in FRAMEWORKS.values()))
    if draft.framework and draft.framework not in FRAMEWORKS:
        frameworks += ((draft.framework, draft.framework),)
    return (
        make("forms", "Parallel forms (optional)", draft.forms, kind="textarea", rows=3,
             hint="One form per line: a short name, a colon, the words people see. For example "
             "A: Form A (before training). Leave empty for one form. A question is then in one "
             "form, or in every form"),
        make("framework", "Competency framework (optional)", draft.framework, kind="select",
             choices=frameworks,
             hint="Questions can then be mapped to its domains, for example Assessment of "
             "caregiving"),
    )  # fmt: skip


def _term(index: int, term: DraftTerm, make: _Fields, count: int) -> EditorEntry:
    p, where = f"term-{index}-", f" of term {index + 1}"
    fields = (
        make(p + "id", "Term", term.id, context=where, width="nhsuk-input--width-20",
             hint="Written in curly brackets in questions and options, for example "
             "health_visitor is written {health_visitor}"),
        make(p + "default", "Words used everywhere else", term.default, context=where,
             hint="For example health visitor"),
        *(
            make(p + place, f"Words in {_PLACE_NAMES[place]} (optional)",
                 getattr(term, place), context=where,
                 hint=_PLACE_HINTS.get(place, ""))
            for place in JURISDICTIONS
        ),
    )  # fmt: skip
    heading = f"Term {index + 1}" + (f": {{{term.id}}}" if term.id else "")
    return EditorEntry("term", index, heading, fields, index == count - 1)


_PLACE_NAMES = {
    "england": "England",
    "wales": "Wales",
    "scotland": "Scotland",
    "northern_ireland": "Northern Ireland",
    "ireland": "Ireland",
}
_PLACE_HINTS = {"ireland": "For example public health nurse"}


def _domain(index: int, domain: DraftDomain, make: _Fields, count: int) -> EditorEntry:
    p, where = f"domain-{index}-", f" of domain {index + 1}"
    fields = (
        make(p + "label", "Name", domain.label, context=where,
             hint="Shown in tables and reports, for example Self-efficacy"),
        make(p + "id", "Short name", domain.id, context=where, width="nhsuk-input--width-20",
             hint="Used as a column name: letters, digits, '-' or '_', for example self_efficacy"),
        make(p + "description", "Description (optional)", domain.description, context=where,
             kind="textarea", rows=2),
        make(p + "level", "Kirkpatrick level", domain.level, context=where, kind="select",
             choices=_KIRKPATRICK,
             hint="2 (learning) for knowledge, risk identification and self-efficacy"),
        make(p + "barr", "Barr level (optional)", domain.barr, context=where, kind="select",
             choices=_BARR,
             hint="Barr's finer level for health and social care training, for example 2b for "
                  "knowledge and skills or 3a for practice people report; it must be a "
                  "sub-level of the Kirkpatrick level"),
    )  # fmt: skip
    heading = f"Domain {index + 1}" + (f": {domain.label}" if domain.label else "")
    return EditorEntry("domain", index, heading, fields, index == count - 1)


def _scale(index: int, scale: DraftScale, make: _Fields, count: int) -> EditorEntry:
    p, where = f"scale-{index}-", f" of rating scale {index + 1}"
    fields = (
        make(p + "id", "Short name", scale.id, context=where, width="nhsuk-input--width-10",
             hint="Questions choose a scale by this name, for example agree"),
        make(p + "min", "Lowest answer", scale.min, context=where, width="nhsuk-input--width-4"),
        make(p + "max", "Highest answer", scale.max, context=where, width="nhsuk-input--width-4"),
        make(p + "labels", "Words for the points (optional)", scale.labels, context=where,
             kind="textarea", rows=5,
             hint="One per line: the number, a colon, the words. For example 1: Not at all true "
             "of me"),
    )  # fmt: skip
    heading = f"Rating scale {index + 1}" + (f": {scale.id}" if scale.id else "")
    return EditorEntry("scale", index, heading, fields, index == count - 1)


def _item(index: int, item: DraftItem, draft: Draft, make: _Fields) -> EditorEntry:
    p, where = f"item-{index}-", f" of question {index + 1}"
    domains = _choices([d.id for d in draft.domains], item.domain, "Choose a domain")
    scales = _choices([s.id for s in draft.scales], item.scale, "Choose a rating scale")
    fields = (
        make(p + "text", "Wording", item.text, context=where, kind="textarea", rows=3),
        make(p + "id", "Question id", item.id, context=where, width="nhsuk-input--width-10",
             hint="The column name for its answers, for example K1"),
        make(p + "domain", "Domain", item.domain, context=where, kind="select", choices=domains,
             hint="An open question may have none: it is then asked after the scored "
             "questions"),
        make(p + "concept", "Concept (optional)", item.concept, context=where,
             width="nhsuk-input--width-20",
             hint="A short tag for what it tests, for example stressed_infant"),
        make(p + "kind", "How it is answered", item.kind, context=where, kind="radios",
             choices=(("keyed", "It has a right answer"), ("rating", "A rating on a scale"),
                      ("open", "In their own words (never scored)"))),
    )  # fmt: skip
    keyed: tuple[EditorField, ...] = (
        make(p + "options", "Options", item.options, context=where, kind="textarea", rows=5,
             hint="One per line: a short code, a colon, the words. For example a: Yes"),
        make(p + "key", "Answer key", item.key, context=where, width="nhsuk-input--width-10",
             hint="The code of the right option, for example b; several separated by commas"),
        make(p + "points", "Points for a right answer", item.points, context=where,
             width="nhsuk-input--width-4"),
    )  # fmt: skip
    rating = (
        make(p + "scale", "Rating scale", item.scale, context=where, kind="select",
             choices=scales),
        make(p + "reverse", "Reverse keyed", item.reverse, context=where, kind="checkbox",
             hint="Agreeing means less of what the domain measures, for example "
             "'I feel out of my depth'"),
    )  # fmt: skip
    keyed += (
        make(p + "misconceptions", "Misconceptions (optional)", item.misconceptions,
             context=where, kind="textarea", rows=3,
             hint="What each wrong option shows someone believes, one per line: its code, a "
             "colon, the misconception. For example b: Babies cannot feel stress. Evaluators see "
             "these in the item analysis; participants never do"),
    )  # fmt: skip
    # Only an open question gets the box: the page of a large instrument (imh-core's 66
    # questions) is near the number of fields a post may carry. A question made open on the
    # page gets the default longest answer until the page is shown again.
    open_answer = (
        (
            make(p + "max_length", "Longest answer, in characters", item.max_length,
                 context=where, width="nhsuk-input--width-5",
                 hint="At most 5000, for example 1000. An open question keeps no concept, "
                 "competencies or evidence"),
        )
        if item.kind == "open"
        else ()
    )  # fmt: skip
    heading = f"Question {index + 1}" + (f" ({item.id})" if item.id else "")
    last = index == len(draft.items) - 1
    more = _item_more(p, where, item, draft, make)
    return EditorEntry(
        "item", index, heading, fields, last, keyed, rating, item.kind, more, open_answer
    )


def _item_more(
    p: str, where: str, item: DraftItem, draft: Draft, make: _Fields
) -> tuple[EditorField, ...]:
    forms = [form_id for form_id, _ in declared_forms(draft)]
    more = []
    if forms or item.form:
        choices = _choices(forms, item.form, "Every form")
        more.append(
            make(p + "form", "Form", item.form, context=where, kind="select", choices=choices,
                 hint="Parallel forms never repeat a question: give each form its own")
        )  # fmt: skip
    framework = FRAMEWORKS.get(draft.framework)
    known = [(d.id, d.label) for d in framework.domains] if framework else []
    chosen = [(c, c) for c in item.competencies if c not in dict(known)]
    if known or chosen:
        more.append(
            make(p + "competencies", "Competencies it measures (optional)", item.competencies,
                 context=where, kind="checkboxes", choices=(*known, *chosen),
                 hint="Domains of the competency framework. Select all that apply")
        )  # fmt: skip
    more.append(
        make(p + "evidence", "Evidence (optional)", item.evidence, context=where,
             kind="textarea", rows=2,
             hint="The research the question rests on, one per line: author and year. For "
             "example Murray 1992")
    )  # fmt: skip
    return tuple(more)


def _choices(ids: list[str], current: str, prompt: str) -> tuple[tuple[str, str], ...]:
    known = [i for i in ids if i]
    if current and current not in known:
        known.append(current)  # keep what was chosen, so the loader can say it is undeclared
    return (("", prompt), *((i, i) for i in known))
