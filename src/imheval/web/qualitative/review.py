"""The second reviewer (reflexive thematic analysis, as seeds 000 and 002 did it).

A reviewer reads each theme and sub-theme, its definition and its supporting quotes (the
codings under it), and accepts it, comments on it, or proposes a change (a new name, a new
definition), about the whole theme or about one quote. The analyst answers each comment or
proposal and may apply a proposed change: a rename or new definition is saved on the code and
kept in the codebook's history. The review log lists who reviewed what, when, the decision, the
answer and what changed; the report's method section draws on the same rows.

Who: reviewing needs ``review_qualitative`` (reviewers, analysts, evaluators, admins);
answering and applying needs ``code_qualitative`` (analysts, evaluators, admins). Someone who
coded quotes under a theme may still review it (small teams have no one else), but the page
tells them so and the log marks the decision, so a reader of the report can judge.

While coding is blind (a codebook study before its comparison is opened) the quotes are the
viewer's own codings only (none for someone who is not a coder), and the pages say so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from imheval.web.organisations.access import FORM, POST, Access
from imheval.web.qualitative.models import (
    Code,
    CodeChange,
    Coding,
    Decision,
    Review,
    Study,
    Turn,
)
from imheval.web.qualitative.study_access import (
    CODE,
    REVIEW,
    blind_notice,
    may,
    of_study,
    organisation_page,
    seen_codings,
)
from imheval.web.qualitative.study_access import require as require_action

#: How many quotes the review page shows under each theme before "and N more".
QUOTES_SHOWN = 12


def study_url(name: str, access: Access, study: Study, **more: Any) -> str:
    """The address of one of ``study``'s pages (objects in ``more`` by their pk)."""
    kwargs = {"org": access.organisation.slug, "study": study.pk}
    kwargs.update({key: getattr(value, "pk", value) for key, value in more.items()})
    return reverse(f"qualitative:{name}", kwargs=kwargs)


def study_crumbs(access: Access, study: Study, *more: tuple[str, str]) -> list[tuple[str, str]]:
    """Breadcrumbs: the study's own page, then ``more``."""
    try:
        home = study_url("study", access, study)
    except NoReverseMatch:  # the study page is another part's; until it exists, no crumb
        return list(more)
    return [(study.name, home), *more]


def person(user: Any) -> str:
    """A team member's name as the log shows it (staff, never a participant)."""
    if user is None:
        return "A former member"
    return str(user.get_full_name() or user.get_username())


# ---------------------------------------------------------------------------- quotes


@dataclass(frozen=True)
class QuoteLine:
    """A supporting quote as the reviewer reads it: the words, the speaker label, where."""

    coding: Coding
    text: str
    speaker: str
    source: str
    code: str


def subtrees(codes: list[Code]) -> dict[int, set[int]]:
    """{code pk: its own pk and every row below it}."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code.pk)  # type: ignore[attr-defined]
    below: dict[int, set[int]] = {}

    def walk(pk: int) -> set[int]:
        if pk not in below:
            found = {pk}
            for child in children[pk]:
                found |= walk(child)
            below[pk] = found
        return below[pk]

    for code in codes:
        walk(code.pk)
    return below


def turn_labels(sources: set[int]) -> dict[int, list[tuple[int, int, str]]]:
    """{source pk: [(start, end, speaker label), ...]} in one query."""
    turns: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for source_id, start, end, label in Turn.objects.filter(source__in=sources).values_list(
        "source_id", "start", "end", "speaker__label"
    ):
        turns[source_id].append((start, end, label))
    return turns


def quote_lines(
    codings: list[Coding], turns: dict[int, list[tuple[int, int, str]]] | None = None
) -> list[QuoteLine]:
    """Each coding with its words and its speaker's label (the turn it starts in)."""
    if turns is None:
        turns = turn_labels({c.source_id for c in codings})  # type: ignore[attr-defined]
    lines = []
    for coding in codings:
        speaker = next(
            (
                label
                for start, end, label in turns.get(coding.source_id, [])  # type: ignore[attr-defined]
                if start <= coding.start < end
            ),
            "speaker not known",
        )
        lines.append(
            QuoteLine(
                coding=coding,
                text=coding.source.text[coding.start : coding.end].strip(),
                speaker=speaker,
                source=coding.source.name,
                code=coding.code.name,
            )
        )
    return lines


def theme_rows(study: Study, viewer: Any) -> list[dict[str, Any]]:
    """Each theme and sub-theme in codebook order, with the quotes ``viewer`` may see
    (:func:`~imheval.web.qualitative.study_access.seen_codings`; exemplars first) and the
    decisions on it."""
    codes = list(Code.objects.filter(study=study))
    below = subtrees(codes)
    codings = list(seen_codings(study, viewer).select_related("source", "code", "coder"))
    by_code: dict[int, list[Coding]] = defaultdict(list)
    for coding in codings:
        by_code[coding.code_id].append(coding)  # type: ignore[attr-defined]
    reviews: dict[int, list[Review]] = defaultdict(list)
    for review in Review.objects.filter(study=study).select_related("reviewer", "coding"):
        reviews[review.code_id].append(review)  # type: ignore[attr-defined]
    turns = turn_labels({c.source_id for c in codings})  # type: ignore[attr-defined]
    rows = []
    for code in _ordered(codes):
        if code.level == "code":
            continue
        under = [c for pk in sorted(below[code.pk]) for c in by_code[pk]]
        under.sort(key=lambda c: (not c.exemplar, c.source_id, c.start))  # type: ignore[attr-defined]
        rows.append(
            {
                "code": code,
                "quote_count": len(under),
                "quotes": quote_lines(under[:QUOTES_SHOWN], turns),
                "reviews": reviews[code.pk],
            }
        )
    return rows


def _ordered(codes: list[Code]) -> list[Code]:
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)  # type: ignore[attr-defined]
    ordered: list[Code] = []

    def visit(parent: int | None) -> None:
        for code in children[parent]:
            ordered.append(code)
            visit(code.pk)

    visit(None)
    return ordered


def coded_by(access: Access, study: Study, code: Code) -> int:
    """How many quotes under ``code`` the signed-in member coded themselves."""
    below = subtrees(list(Code.objects.filter(study=study)))[code.pk]
    return Coding.objects.filter(
        source__study=study, code__in=below, coder__user=access.membership.user
    ).count()


# ---------------------------------------------------------------------------- forms


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose accept, comment or propose a change"},
    )
    coding = forms.TypedChoiceField(
        label="About",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="The whole theme, or one of its quotes.",
    )
    comment = forms.CharField(
        label="Your comment, or the reason for the change you propose",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: the quotes under this theme are mostly about time, not space.",
    )
    proposed_name = forms.CharField(
        label="Proposed new name (if you propose one)", required=False, max_length=200
    )
    proposed_definition = forms.CharField(
        label="Proposed new definition (if you propose one)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, quotes: list[QuoteLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coding"].choices = (
            [("", "The whole theme")]
            + [  # type: ignore[attr-defined]
                (line.coding.pk, f"{line.speaker}: {line.text[:80]}") for line in quotes
            ]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        if decision == Decision.COMMENT and not data.get("comment", "").strip():
            self.add_error("comment", "Write your comment")
        if decision == Decision.PROPOSE and not (
            data.get("proposed_name", "").strip() or data.get("proposed_definition", "").strip()
        ):
            self.add_error("proposed_name", "Give the name or definition you propose")
        return data


class ResponseForm(forms.Form):
    response = forms.CharField(
        label="Your answer",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write your answer to the reviewer"},
        help_text="For example: agreed, renamed the theme.",
    )
    apply = forms.BooleanField(
        label="Apply the proposed change to the codebook", required=False, initial=False
    )


# ---------------------------------------------------------------------------- views


@organisation_page("view")
def review(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Every theme and sub-theme with its definition, quotes and decisions so far."""
    context = {
        "study": study,
        "rows": theme_rows(study, request.user),
        "blind_notice": blind_notice(study, request.user, "the quotes below are"),
        "may_review": may(access, REVIEW),
        "crumbs": study_crumbs(access, study),
        "shown": QUOTES_SHOWN,
    }
    return render(request, "qualitative/review.html", context)


@organisation_page("view", FORM)
def review_theme(request: HttpRequest, access: Access, study: Study, code: Code) -> HttpResponse:
    """One theme (or sub-theme) to review: its definition, all its quotes, the form."""
    of_study(study, code)
    below = subtrees(list(Code.objects.filter(study=study)))[code.pk]
    quotes = quote_lines(
        list(
            seen_codings(study, request.user)
            .filter(code__in=below)
            .select_related("source", "code", "coder")
            .order_by("-exemplar", "source", "start", "pk")
        ),
    )
    form = ReviewForm(quotes=quotes)
    if request.method == "POST":
        require_action(access, REVIEW)
        form = ReviewForm(request.POST, quotes=quotes)
        if form.is_valid():
            data = form.cleaned_data
            decision = Decision(data["decision"])
            Review.objects.create(
                study=study,
                code=code,
                coding_id=data["coding"],
                reviewer=request.user,
                decision=decision,
                comment=data["comment"].strip(),
                proposed_name=data["proposed_name"].strip() if decision == Decision.PROPOSE else "",
                proposed_definition=data["proposed_definition"].strip()
                if decision == Decision.PROPOSE
                else "",
            )
            messages.success(request, f"Your decision on {code.name} is saved: {decision.label}.")
            return redirect(study_url("review", access, study) + f"#code-{code.pk}")
    context = {
        "study": study,
        "code": code,
        "quotes": quotes,
        "form": form if may(access, REVIEW) else None,
        "own_quotes": coded_by(access, study, code),
        "blind_notice": blind_notice(study, request.user, "the quotes below are"),
        "reviews": Review.objects.filter(study=study, code=code).select_related("reviewer"),
        "crumbs": study_crumbs(
            access, study, ("Second review", study_url("review", access, study))
        ),
    }
    return render(
        request, "qualitative/review_theme.html", context, status=400 if form.errors else 200
    )


@organisation_page("view", POST)
def review_respond(
    request: HttpRequest, access: Access, study: Study, review: Review
) -> HttpResponse:
    """The analyst's answer to a decision; with ``apply``, a proposal becomes the codebook's
    (the rename or new definition kept in the code's history)."""
    of_study(study, review)
    require_action(access, CODE)
    form = ResponseForm(request.POST)
    target = study_url("review_log", access, study) + f"#review-{review.pk}"
    if not form.is_valid():
        messages.error(request, "Write your answer to the reviewer before saving it.")
        return redirect(target)
    code = review.code
    with transaction.atomic():
        changed: list[str] = []
        if form.cleaned_data["apply"] and review.decision == Decision.PROPOSE:
            applied = apply_proposal(review, code, request.user)
            if applied is None:
                messages.error(
                    request,
                    f"Another row under the same parent is already called "
                    f"{review.proposed_name}; nothing was changed.",
                )
                return redirect(target)
            changed = applied
        review.response = form.cleaned_data["response"].strip()
        review.responded_by = request.user
        review.responded_at = timezone.now()
        review.save()
    messages.success(
        request, "Your answer is saved" + (f"; {' and '.join(changed)}." if changed else ".")
    )
    return redirect(target)


def apply_proposal(review: Review, code: Code, user: Any) -> list[str] | None:
    """Save a proposal's name and definition on ``code`` with its history; the changes made,
    or None when the name is taken under the same parent."""
    changed = []
    name = review.proposed_name.strip()
    if name and name != code.name:
        taken = (
            Code.objects.filter(study=code.study, parent=code.parent, name=name)
            .exclude(pk=code.pk)
            .exists()
        )
        if taken:
            return None
        CodeChange.objects.create(
            code=code, kind=CodeChange.Kind.RENAMED, before=code.name, after=name, changed_by=user
        )
        changed.append(f"renamed {code.name} to {name}")
        code.name = name
    definition = review.proposed_definition.strip()
    if definition and definition != code.definition:
        CodeChange.objects.create(
            code=code,
            kind=CodeChange.Kind.DEFINED,
            before=code.definition[:400],
            after=definition[:400],
            changed_by=user,
        )
        changed.append(f"changed the definition of {code.name}")
        code.definition = definition
    if changed:
        code.save()
    return changed


@organisation_page("view")
def review_log(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Who reviewed what, when, the decision, the answer and what changed."""
    reviews = list(
        Review.objects.filter(study=study).select_related(
            "code", "coding", "coding__source", "reviewer", "responded_by"
        )
    )
    own = set(
        Coding.objects.filter(source__study=study, coder__user__isnull=False).values_list(
            "coder__user_id", "code_id"
        )
    )
    below = subtrees(list(Code.objects.filter(study=study)))
    seen = set(seen_codings(study, request.user).values_list("pk", flat=True))
    changes = CodeChange.objects.filter(code__study=study, kind__in=["renamed", "defined"])
    entries = [
        {
            "review": r,
            "reviewer": person(r.reviewer),
            "responder": person(r.responded_by) if r.responded_at else "",
            "quote": r.coding.source.text[r.coding.start : r.coding.end].strip()
            if r.coding and r.coding.pk in seen
            else "",
            "quote_hidden": r.coding is not None and r.coding.pk not in seen,
            "also_coder": any(
                (r.reviewer_id, pk) in own  # type: ignore[attr-defined]
                for pk in below.get(r.code_id, set())  # type: ignore[attr-defined]
            ),
        }
        for r in reviews
    ]
    context = {
        "study": study,
        "entries": entries,
        "changes": changes.select_related("code", "changed_by"),
        "may_respond": may(access, CODE),
        "response_form": ResponseForm(),
        "crumbs": study_crumbs(
            access, study, ("Second review", study_url("review", access, study))
        ),
    }
    return render(request, "qualitative/review_log.html", context)
