"""Forms for a qualitative study's pages: the study and its settings, a transcript upload with
its pseudonymisation, speakers, the three-level codebook and its history, the phase log and
memos.

The codebook's rules live here (views stay thin): a theme sits at the top, a sub-theme under a
theme, a code under a sub-theme; a rename, a move and a new definition each leave a
:class:`CodeChange` with what it was before and after, and who made it.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from imheval.errors import ProblemsError, TranscriptError
from imheval.qualitative import transcripts
from imheval.qualitative.pseudonyms import pseudonymise
from imheval.web.network.models import NetworkGroup
from imheval.web.organisations.models import Organisation
from imheval.web.qualitative.models import (
    Approach,
    Code,
    CodeChange,
    Coder,
    Memo,
    PhaseEntry,
    Source,
    SourceKind,
    Speaker,
    Study,
)
from imheval.web.qualitative.numbers import posted_pk
from imheval.web.workspace.forms import DayMonthYearField
from imheval.web.workspace.models import Cohort, Programme

#: The largest transcript accepted (a one-hour focus group is about 60 KB of text; a .docx with
#: pictures in it can be a few MB).
MAX_TRANSCRIPT_BYTES = 5 * 1024 * 1024
TRANSCRIPT_SUFFIXES = (".txt", ".docx", ".vtt")

#: The level a row must sit under, by its own level.
THEME, SUBTHEME, CODE = "theme", "subtheme", "code"  # Level's values
PARENT_LEVEL: dict[str, str | None] = {THEME: None, SUBTHEME: THEME, CODE: SUBTHEME}
LEVEL_WORDS = {THEME: "theme", SUBTHEME: "sub-theme", CODE: "code"}
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

APPROACH_HINTS = {
    Approach.REFLEXIVE: "Choose this when one analyst (or a small team) builds themes from their "
    "own reading, as Braun and Clarke describe. A second reviewer reads each theme and its "
    "quotes and accepts, comments or proposes a change. Agreement figures are not used.",
    Approach.CODEBOOK: "Choose this when two or more coders apply an agreed codebook to the "
    "same transcripts without seeing each other's codings; the comparison then shows where "
    "they differ, with percent agreement, Cohen's kappa and Krippendorff's alpha.",
}
UNIT_CHOICES = [
    ("character", "Character: every character of the text is compared"),
    ("turn", "Speaker turn: each turn counts as coded or not coded"),
]


def _problems(error: ProblemsError) -> list[str]:
    """An error's located problems, as the form's messages (the first 20, then a count)."""
    shown = [str(problem) for problem in error.problems[: error.max_listed]]
    more = len(error.problems) - len(shown)
    return [*shown, f"... and {more} more problems"] if more > 0 else shown


def _text_area(rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ApproachField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label="How will the analysis be checked?",
            choices=Approach.choices,
            widget=forms.RadioSelect,
            error_messages={"required": "Choose how the analysis will be checked"},
            **kwargs,
        )
        self.item_hints = {str(key): text for key, text in APPROACH_HINTS.items()}


def scope_choices(organisation: Organisation) -> list[tuple[str, list[tuple[str, str]]]]:
    """The organisation's own cohorts, programmes and network groups, grouped, as "kind:pk"."""
    cohorts = Cohort.objects.in_organisation(organisation).select_related("programme")  # type: ignore[attr-defined]
    programmes = Programme.objects.in_organisation(organisation)  # type: ignore[attr-defined]
    groups = NetworkGroup.objects.in_organisation(organisation)  # type: ignore[attr-defined]
    return [
        ("Cohorts", [(f"cohort:{c.pk}", f"{c.name} ({c.programme.name})") for c in cohorts]),
        ("Programmes", [(f"programme:{p.pk}", p.name) for p in programmes]),
        ("Network groups", [(f"network_group:{g.pk}", g.name) for g in groups]),
    ]


def _unique_name(queryset: QuerySet[Any], instance: Any, name: str, message: str) -> str:
    name = name.strip()
    if queryset.filter(name__iexact=name).exclude(pk=instance.pk).exists():
        raise ValidationError(message)
    return name


class StudyCreateForm(forms.ModelForm):
    """A new study of one of the organisation's own scopes."""

    scope = forms.ChoiceField(
        label="What does the study evaluate?",
        help_text="The cohort, programme or network group whose focus groups or interviews "
        "you will analyse, for example the cohort SOL-1.",
        error_messages={"required": "Choose what the study evaluates"},
    )
    approach = ApproachField()

    class Meta:
        model = Study
        fields = ["name", "scope", "approach"]
        labels = {"name": "Name of the study"}
        help_texts = {"name": "For example, Focus groups after the foundation training"}
        error_messages = {"name": {"required": "Enter a name for the study"}}

    def __init__(self, *args: Any, organisation: Organisation, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.user = user
        self.fields["scope"].choices = [("", "Choose one"), *scope_choices(organisation)]

    def clean_name(self) -> str:
        return _unique_name(
            Study.objects.in_organisation(self.organisation),  # type: ignore[attr-defined]
            self.instance,
            self.cleaned_data["name"],
            "The organisation already has a study with this name: choose another",
        )

    def clean_scope(self) -> str:
        value = str(self.cleaned_data["scope"])
        known = {key for _, options in scope_choices(self.organisation) for key, _ in options}
        if value not in known:
            raise ValidationError("Choose one of the organisation's cohorts, programmes or groups")
        return value

    def save(self, commit: bool = True) -> Study:
        study: Study = super().save(commit=False)
        kind, pk = str(self.cleaned_data["scope"]).split(":")
        models: dict[str, Any] = {
            "cohort": Cohort,
            "programme": Programme,
            "network_group": NetworkGroup,
        }
        setattr(study, kind, models[kind].objects.get(pk=int(pk)))
        study.organisation = self.organisation
        study.created_by = self.user
        study.save()
        return study


EVERYONE = "Everyone's codings"


class ReportedCoderField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """One of the study's coders, or none (everyone's codings); a posted value that is not a
    whole number of ASCII digits that fits a primary key is refused before it is looked up."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if not isinstance(value, Coder) and posted_pk(str(value)) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class StudySettingsForm(forms.ModelForm):
    """The study's name, approach, blind coding, agreement unit, whose codings are reported and
    reflexivity statement. Only the study's own coders may be the reported coder."""

    approach = ApproachField()
    agreement_unit = forms.ChoiceField(
        label="Unit of comparison for agreement",
        choices=UNIT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Used only in codebook analysis.",
    )
    reported_coder = ReportedCoderField(
        queryset=Coder.objects.none(),
        required=False,
        empty_label=EVERYONE,
        label="Whose codings the outputs report",
        help_text="In a codebook study, choose the coder whose coding (usually the agreed, "
        "final one) the tables and quotes report; the comparison page still compares everyone.",
        error_messages={
            "invalid_choice": "Choose one of this study's coders, or everyone's codings",
        },
    )

    class Meta:
        model = Study
        fields = [
            "name",
            "approach",
            "blind_coding",
            "agreement_unit",
            "reported_coder",
            "reflexivity",
        ]
        labels = {
            "name": "Name of the study",
            "blind_coding": "Coders see only their own codings until the comparison is opened",
            "reflexivity": "Reflexivity statement",
        }
        help_texts = {
            "reflexivity": "Who did the analysis and how their position may shape it, for "
            "example: The first author is a health visitor who facilitated the group.",
        }
        widgets = {"reflexivity": _text_area(6)}
        error_messages = {"name": {"required": "Enter a name for the study"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reported_coder"].queryset = Coder.objects.filter(  # type: ignore[attr-defined]
            study=self.instance
        )

    def clean_name(self) -> str:
        return _unique_name(
            Study.objects.in_organisation(self.instance.organisation),  # type: ignore[attr-defined]
            self.instance,
            self.cleaned_data["name"],
            "The organisation already has a study with this name: choose another",
        )


# ----------------------------------------------------------------------- sources


def pseudonymised_file_name(file_name: str, names: dict[str, str]) -> str:
    """The upload's file name with the listed names replaced, its words read as joined by
    hyphens, underscores or dots: with Sarah Jones = PX1, "sarah-jones.docx" becomes
    "PX1.docx". A name with nothing replaced is kept as it is."""
    stem, dot, suffix = file_name.rpartition(".")
    if not dot:
        stem, suffix = file_name, ""
    replaced, count = pseudonymise(re.sub(r"[-_.]+", " ", stem), names)
    return (f"{replaced}{dot}{suffix}" if count else file_name)[:200]


class SourceUploadForm(forms.Form):
    """A transcript file, pseudonymised on reading; the names typed here are used once and
    never kept (not in the database, the session or the audit log). The source's name and the
    file's name (kept as the source's origin, :attr:`origin`) go through the same names."""

    file = forms.FileField(
        label="Transcript file",
        help_text="A .txt, .docx or .vtt (captions) file of at most 5 MB. Each turn starts with "
        "the speaker, for example PX2: or [PX2] or Facilitator:",
        error_messages={
            "required": "Choose a transcript file to upload",
            "empty": "The chosen file is empty",
            "invalid": "Choose a transcript file to upload",
        },
    )
    name = forms.CharField(
        label="Name of the source",
        max_length=200,
        help_text="For example, Focus group 1",
        error_messages={"required": "Enter a name for the source"},
    )
    kind = forms.ChoiceField(
        label="Kind of source",
        choices=[c for c in SourceKind.choices if c[0] != SourceKind.OPEN_ANSWERS],
        widget=forms.RadioSelect,
        initial=SourceKind.FOCUS_GROUP,
        error_messages={"required": "Choose the kind of source"},
    )
    held_on = DayMonthYearField(label="Date held", required=False)
    speaker_pattern = forms.CharField(
        label="Speaker pattern (optional)",
        required=False,
        max_length=200,
        help_text="Only if your transcript marks speakers in another way: a regular "
        "expression with one group around the label, matched at the start of each line, for "
        "example <(\\w+)> for lines such as <PX1> yes",
    )
    names = forms.CharField(
        label="Names to replace (optional)",
        required=False,
        widget=_text_area(5),
        help_text="One per line, the name and its label, for example Sarah = PX1. People, "
        "places and services named in the transcript are replaced before anything is saved. "
        "This list is not kept.",
    )

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.study = study
        self.transcript: Any = None
        self.origin = ""

    def clean_name(self) -> str:
        return _unique_name(
            self.study.sources.all(),
            Source(),
            self.cleaned_data["name"],
            "The study already has a source with this name: choose another",
        )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = str(upload.name)[:200]
        if not name.lower().endswith(TRANSCRIPT_SUFFIXES):
            raise ValidationError(f"{name} must be a .txt, .docx or .vtt file")
        if upload.size > MAX_TRANSCRIPT_BYTES:
            raise ValidationError(
                f"{name} is {upload.size / 1024 / 1024:.1f} MB; a transcript must be at most 5 MB"
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        if upload is None or self.errors:
            return cleaned
        try:
            names = transcripts.parse_names(cleaned.get("names") or "")
        except TranscriptError as error:
            self.add_error("names", _problems(error))
            return cleaned
        try:
            self.transcript = transcripts.read_transcript(
                upload.read(),
                str(upload.name),
                speaker_pattern=cleaned.get("speaker_pattern") or None,
                names=names,
            )
        except TranscriptError as error:
            field = "speaker_pattern" if "speaker pattern" in str(error) else "file"
            self.add_error(field, _problems(error))
        cleaned["name"] = pseudonymise(cleaned["name"], names)[0][:200]
        self.origin = pseudonymised_file_name(str(upload.name), names)
        # The names are dropped here: only the pseudonymised transcript leaves this form.
        cleaned["names"] = ""
        return cleaned


class SourceForm(forms.ModelForm):
    """A source's name, kind and date."""

    held_on = DayMonthYearField(label="Date held", required=False)

    class Meta:
        model = Source
        fields = ["name", "kind", "held_on"]
        labels = {"name": "Name of the source", "kind": "Kind of source"}
        widgets = {"kind": forms.RadioSelect}
        error_messages = {"name": {"required": "Enter a name for the source"}}

    def clean_name(self) -> str:
        return _unique_name(
            self.instance.study.sources.all(),
            self.instance,
            self.cleaned_data["name"],
            "The study already has a source with this name: choose another",
        )


class SourceDeleteForm(forms.Form):
    """Deleting a source deletes its codings too: a coded source needs a ticked box."""

    confirm = forms.BooleanField(
        label="Yes, delete the source and its codings",
        required=False,
    )

    def __init__(self, *args: Any, source: Source, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        self.coded = source.codings.count()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.coded and not cleaned.get("confirm"):
            self.add_error(
                "confirm",
                f"{self.source.name} has {self.coded} codings. Tick the box to delete them with it",
            )
        return cleaned


# ----------------------------------------------------------------------- speakers

#: The attributes every speaker may have (other ones are free key = value lines).
SPEAKER_ATTRIBUTES = ("profession", "service", "role in the group")


def parse_attributes(text: str) -> dict[str, str]:
    """ "key = value" lines as a dict; raises ValidationError naming the line otherwise."""
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, equals, value = line.partition("=")
        if not equals or not key.strip() or not value.strip():
            raise ValidationError(
                f"Line {number} ({line.strip()[:40]}) must be a name, an equals sign and a "
                "value, for example Band = 6"
            )
        found[key.strip()] = value.strip()
    return found


class SpeakerForm(forms.ModelForm):
    """A speaker's label and attributes (profession, service, role in the group, others)."""

    profession = forms.CharField(
        label="Profession", required=False, max_length=100, help_text="For example, Midwife"
    )
    service = forms.CharField(
        label="Service",
        required=False,
        max_length=100,
        help_text="For example, Health visiting",
    )
    role_in_group = forms.CharField(
        label="Role in the group",
        required=False,
        max_length=100,
        help_text="For example, Member or Facilitator",
    )
    extra = forms.CharField(
        label="Other attributes (optional)",
        required=False,
        widget=_text_area(3),
        help_text="One per line, for example Band = 6",
    )

    class Meta:
        model = Speaker
        fields = ["label"]
        labels = {"label": "Label"}
        help_texts = {"label": "A pseudonymous label, never a name, for example PX3"}
        error_messages = {"label": {"required": "Enter a label for the speaker"}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        attributes = dict(self.instance.attributes or {})
        self.fields["profession"].initial = attributes.pop("profession", "")
        self.fields["service"].initial = attributes.pop("service", "")
        self.fields["role_in_group"].initial = attributes.pop("role in the group", "")
        self.fields["extra"].initial = "\n".join(f"{k} = {v}" for k, v in attributes.items())

    def clean_label(self) -> str:
        label = self.cleaned_data["label"].strip()
        taken = self.instance.study.speakers.filter(label__iexact=label)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError("The study already has a speaker with this label")
        return str(label)

    def clean_extra(self) -> dict[str, str]:
        return parse_attributes(self.cleaned_data["extra"])

    def save(self, commit: bool = True) -> Speaker:
        speaker: Speaker = super().save(commit=False)
        attributes = {
            "profession": self.cleaned_data["profession"].strip(),
            "service": self.cleaned_data["service"].strip(),
            "role in the group": self.cleaned_data["role_in_group"].strip(),
            **self.cleaned_data["extra"],
        }
        speaker.attributes = {key: value for key, value in attributes.items() if value}
        speaker.save()
        return speaker


# ----------------------------------------------------------------------- codebook


def path_of(code: Code | None) -> str:
    """ "Theme > Sub-theme > Code", or "the top of the codebook" for no row."""
    names: list[str] = []
    while code is not None:
        names.append(code.name)
        code = code.parent
    return " > ".join(reversed(names)) if names else "the top of the codebook"


def _record(code: Code, kind: str, before: str, after: str, user: Any) -> None:
    CodeChange.objects.create(
        code=code, kind=kind, before=before[:400], after=after[:400], changed_by=user
    )


def refuse_move(code: Code, parent: Code | None) -> str:
    """Why ``code`` cannot sit under ``parent``, or "" when it can."""
    wanted = PARENT_LEVEL[code.level]
    kind = LEVEL_WORDS[code.level]
    if wanted is None and parent is not None:
        return "A theme sits at the top of the codebook, not under a row"
    if wanted is not None and (parent is None or parent.level != wanted):
        return f"A {kind} can only sit under a {LEVEL_WORDS[wanted]}"
    if parent is not None and parent.study_id != code.study_id:  # type: ignore[attr-defined]
        return "Choose a row of this study's codebook"
    siblings = Code.objects.filter(study_id=code.study_id, parent=parent)  # type: ignore[attr-defined]
    if siblings.filter(name__iexact=code.name).exclude(pk=code.pk).exists():
        where = path_of(parent) if parent is not None else "The codebook"
        return f"{where} already has a {kind} called {code.name}"
    return ""


def move_code(code: Code, parent: Code | None, user: Any) -> None:
    """Move ``code`` under ``parent`` (checked by :func:`refuse_move` first), with history."""
    if parent == code.parent:
        return
    before = path_of(code.parent)
    code.parent = parent
    code.save()
    _record(code, "moved", before, path_of(parent), user)


def _parent_choices(study: Study, level: str) -> QuerySet[Code]:
    wanted = PARENT_LEVEL[level]
    return (
        study.codes.filter(level=wanted).select_related("parent") if wanted else Code.objects.none()
    )


class PkChoiceField(forms.ModelChoiceField):
    """A model choice whose posted value must be a whole number before it is looked up (a
    30-digit number overflows the database's integer: a server error)."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and posted_pk(str(value)) is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            )
        return super().to_python(value)


class PkMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Model choices whose posted values must be whole numbers before they are looked up."""

    def _check_values(self, value: Any) -> Any:
        for pk in value:
            if posted_pk(str(pk)) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:20]},
                )
        return super()._check_values(value)


class ParentChoiceField(PkChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return path_of(obj)


class CodeForm(forms.ModelForm):
    """A new codebook row, or a change to one (rename, move, definition, colour), each change
    kept in the code's history."""

    parent = ParentChoiceField(queryset=Code.objects.none(), required=False)

    class Meta:
        model = Code
        fields = ["name", "parent", "definition", "colour"]
        labels = {"name": "Name", "definition": "Definition", "colour": "Colour (optional)"}
        help_texts = {
            "definition": "What belongs here and what does not, for example: Moments when "
            "something the group discussed suddenly made sense of practice.",
            "colour": "As #RRGGBB, for example #005EB8",
        }
        widgets = {"definition": _text_area(4)}
        error_messages = {"name": {"required": "Enter a name"}}

    def __init__(
        self,
        *args: Any,
        study: Study,
        level: str,
        user: Any,
        parent: Code | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.study = study
        self.level = level
        self.user = user
        self.before = {
            "name": self.instance.name,
            "definition": self.instance.definition,
            "parent": self.instance.parent if self.instance.pk else None,
        }
        wanted = PARENT_LEVEL[level]
        if wanted is None:
            del self.fields["parent"]
        else:
            field = self.fields["parent"]
            field.queryset = _parent_choices(study, level)
            field.required = True
            field.label = f"Under which {LEVEL_WORDS[wanted]}?"
            field.empty_label = "Choose one"
            field.error_messages["required"] = f"Choose the {LEVEL_WORDS[wanted]} it sits under"
            if parent is not None and not self.instance.pk:
                field.initial = parent.pk

    def clean_colour(self) -> str:
        colour = str(self.cleaned_data["colour"]).strip()
        if colour and not _COLOUR.match(colour):
            raise ValidationError("Enter the colour as #RRGGBB, for example #005EB8")
        return colour.upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        name = str(cleaned.get("name") or "").strip()
        parent = cleaned.get("parent")
        if not name or "parent" in self.errors:
            return cleaned
        probe = Code(
            pk=self.instance.pk, study=self.study, level=self.level, name=name, parent=parent
        )
        reason = refuse_move(probe, parent)
        if reason:
            self.add_error("parent" if "parent" in self.fields else "name", reason)
        cleaned["name"] = name
        return cleaned

    @transaction.atomic
    def save(self, commit: bool = True) -> Code:
        code: Code = super().save(commit=False)
        created = code.pk is None
        code.study = self.study
        code.level = self.level
        new_parent = code.parent
        if not created:
            code.parent = self.before["parent"]
        code.save()
        if created:
            _record(code, "created", "", path_of(code), self.user)
            return code
        if code.name != self.before["name"]:
            _record(code, "renamed", self.before["name"], code.name, self.user)
        if code.definition != self.before["definition"]:
            _record(code, "defined", self.before["definition"], code.definition, self.user)
        move_code(code, new_parent, self.user)
        return code


class BulkMoveForm(forms.Form):
    """Several codes moved under one sub-theme at once."""

    codes = PkMultipleChoiceField(
        label="Codes to move",
        queryset=Code.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one code to move"},
    )
    target = ParentChoiceField(
        label="Move them under which sub-theme?",
        queryset=Code.objects.none(),
        empty_label="Choose one",
        error_messages={"required": "Choose the sub-theme to move them under"},
    )

    def __init__(self, *args: Any, study: Study, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        codes = study.codes.filter(level=CODE).select_related("parent__parent")
        self.fields["codes"].queryset = codes
        self.fields["codes"].label_from_instance = path_of  # type: ignore[attr-defined]
        self.fields["target"].queryset = _parent_choices(study, CODE)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        target = cleaned.get("target")
        codes = cleaned.get("codes") or []
        if target is None:
            return cleaned
        problems = [reason for code in codes if (reason := refuse_move(code, target))]
        names = [code.name.lower() for code in codes]
        clashes = sorted({code.name for code in codes if names.count(code.name.lower()) > 1})
        problems += [f"Two of the chosen codes are called {name}" for name in clashes]
        if problems:
            raise ValidationError(problems)
        return cleaned

    @transaction.atomic
    def save(self) -> list[Code]:
        target = self.cleaned_data["target"]
        moved = list(self.cleaned_data["codes"])
        for code in moved:
            move_code(code, target, self.user)
        return moved


# ----------------------------------------------------------------------- phases and memos


class PhaseForm(forms.ModelForm):
    date = DayMonthYearField(label="Date")

    class Meta:
        model = PhaseEntry
        fields = ["phase", "date", "memo"]
        labels = {"phase": "Phase", "memo": "What was done"}
        help_texts = {"memo": "For example, Read both transcripts twice and noted first ideas."}
        widgets = {"memo": _text_area(5)}
        error_messages = {"phase": {"required": "Choose the phase"}}


class MemoForm(forms.ModelForm):
    """A memo on the study, or on one of its codebook rows or sources."""

    about = forms.ChoiceField(label="What is the memo about?")

    class Meta:
        model = Memo
        fields = ["about", "text"]
        labels = {"text": "Memo"}
        help_texts = {"text": "For example, PX3's account differs from the rest: check later."}
        widgets = {"text": _text_area(6)}
        error_messages = {"text": {"required": "Enter the memo"}}

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.study = study
        codes = [(f"code:{c.pk}", path_of(c)) for c in study.codes.select_related("parent__parent")]
        sources = [(f"source:{s.pk}", s.name) for s in study.sources.only("pk", "name")]
        self.fields["about"].choices = [
            ("study", "The study as a whole"),
            ("Codebook", codes),
            ("Sources", sources),
        ]
        if self.instance.pk:
            self.fields["about"].initial = (
                f"code:{self.instance.code_id}"  # type: ignore[attr-defined]
                if self.instance.code_id  # type: ignore[attr-defined]
                else f"source:{self.instance.source_id}"  # type: ignore[attr-defined]
                if self.instance.source_id  # type: ignore[attr-defined]
                else "study"
            )

    def save(self, commit: bool = True) -> Memo:
        memo: Memo = super().save(commit=False)
        kind, _, pk = str(self.cleaned_data["about"]).partition(":")
        memo.study = self.study
        memo.code = self.study.codes.get(pk=int(pk)) if kind == "code" else None
        memo.source = self.study.sources.get(pk=int(pk)) if kind == "source" else None
        memo.save()
        return memo
