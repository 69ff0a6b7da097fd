"""Coding a transcript: the source's text with its speakers and codings, and the code picker.

The page (``coding``) shows the source's text as runs: the text is cut at every turn edge and
every passage edge, so each run is either uncoded or covered by the same passages throughout,
and each carries its code point offset (``data-s``). The browser's script (``coding.js``) turns
a mouse or keyboard selection into code point offsets from those; without the script, the form
takes a whole speaker turn or numeric start and end. Positions are Unicode code point offsets
into ``Source.text``, the end exclusive (Python's own string indices).

A *passage* is what the analyst coded in one go: codings by one coder sharing a
``selection_guid`` and a span, one coding per code. Exemplar and memo belong to the passage (each
of its codings carries them). Only codes and sub-themes are codable: a theme gathers sub-themes,
so a quote reaches a theme through them (:data:`CODABLE_LEVELS`).

Who sees what: during blind coding (a codebook study with ``blind_coding`` whose comparison is
not open) everyone sees only their own codings; otherwise everyone sees every coder's codings,
with the coder's name. Analysts, evaluators and admins code (``CODE``); a member may change
their own passages and, outside blind coding, those of a coder with no account (an imported
project's); everyone else reads. Every change goes through the model's save or delete, so the
audit log records it.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe

from imheval.qualitative.model import new_guid
from imheval.web.organisations.access import FORM, Access
from imheval.web.qualitative.models import (
    Code,
    Coder,
    Coding,
    Level,
    Source,
    Study,
    Turn,
)
from imheval.web.qualitative.numbers import POSITION_DIGITS, posted_pk, posted_pks
from imheval.web.qualitative.study_access import (
    CODE,
    is_blind,
    may,
    of_study,
    organisation_page,
    require,
)

#: The levels a passage may be coded with directly (a theme is reached through its sub-themes).
CODABLE_LEVELS = (Level.SUBTHEME, Level.CODE)
#: How much of a passage the lists quote before cutting it short.
QUOTE_LENGTH = 160
#: The longest memo kept on a passage.
MEMO_LENGTH = 5_000


class CodingInputError(ValueError):
    """A coding form that cannot be saved; ``problems`` maps each field to a plain message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = dict(problems)


# ------------------------------------------------------------------------- who sees what


def coder_for(study: Study, user: Any, create: bool = False) -> Coder | None:
    """The user's coder in ``study``; made on first coding when ``create`` (named by the user's
    full name, else user name; a name another coder holds gets the user name added)."""
    coder = Coder.objects.filter(study=study, user=user).first()
    if coder is not None or not create:
        return coder
    username = user.get_username()
    base = user.get_full_name().strip() or username
    taken = set(Coder.objects.filter(study=study).values_list("name", flat=True))
    name = base if base not in taken else f"{base} ({username})"
    number = 2
    while name in taken:
        name = f"{base} ({username}, {number})"
        number += 1
    return Coder.objects.create(study=study, name=name[:150], user=user)


def may_change(study: Study, coder: Coder, user: Any) -> bool:
    """Whether ``user`` (who may code) may change a passage by ``coder``: their own, or outside
    blind coding one by a coder with no account (an imported project's)."""
    if coder.user_id is not None:  # type: ignore[attr-defined]
        return bool(coder.user_id == user.pk)  # type: ignore[attr-defined]
    return not is_blind(study)


# ------------------------------------------------------------------------------- the text


@dataclass(frozen=True)
class Passage:
    """What one coder coded in one go: a span, its codes, exemplar and memo."""

    number: int
    pk: int  # the first coding's pk: the passage's address
    start: int
    end: int
    quote: str
    coder: str
    codes: tuple[str, ...]
    exemplar: bool
    memo: str
    changeable: bool


@dataclass(frozen=True)
class Block:
    """A speaker turn (``speaker`` set), or text outside any turn: its runs as HTML, where the
    words begin and end (``content_start``, ``content_end``), and the passages ending in it."""

    start: int
    end: int
    speaker: str
    show_label: bool
    turn: int | None
    content_start: int
    content_end: int
    html: SafeString
    passages: list[Passage] = field(default_factory=list)

    @property
    def blank(self) -> bool:
        return self.content_start >= self.content_end


def quote(text: str, start: int, end: int, length: int = QUOTE_LENGTH) -> str:
    """``text[start:end]`` on one line, cut to ``length`` characters with an ellipsis."""
    passage = " ".join(text[start:end].split())
    return passage if len(passage) <= length else passage[: length - 1].rstrip() + "…"


def content_span(text: str, start: int, end: int, label: str = "") -> tuple[int, int]:
    """The words of ``text[start:end]``: without a leading "Label:" and the spaces around."""
    if label and text.startswith(label, start):
        after = start + len(label)
        if text.startswith(":", after):
            start = after + 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


#: What the page reads of each coding (plain values: no model objects for 1,500 rows).
CODING_VALUES = (
    "pk",
    "coder_id",
    "selection_guid",
    "start",
    "end",
    "exemplar",
    "memo",
    "code__name",
    "coder__name",
    "coder__user_id",
)


def shown_codings(source: Source, blind: bool, me: Coder | None) -> list[dict[str, Any]]:
    """The source's codings the member sees (only their own while blind), as plain values
    (:data:`CODING_VALUES`), in one query."""
    rows = Coding.objects.filter(source=source)
    if blind:
        rows = rows.filter(coder=me) if me is not None else rows.none()
    return list(rows.values(*CODING_VALUES))


def passages(
    codings: Iterable[Mapping[str, Any]], text: str, study: Study, user: Any, can_code: bool
) -> list[Passage]:
    """The codings (:func:`shown_codings`) grouped into passages (one coder, one selection,
    one span), in text order and numbered from 1."""
    groups: dict[tuple[int, str, int, int], list[Mapping[str, Any]]] = defaultdict(list)
    for row in codings:
        groups[(row["coder_id"], row["selection_guid"], row["start"], row["end"])].append(row)
    ordered = sorted(
        groups.values(), key=lambda group: (group[0]["start"], group[0]["end"], group[0]["pk"])
    )
    blind = is_blind(study)
    result = []
    for number, group in enumerate(ordered, start=1):
        first = group[0]
        owner = first["coder__user_id"]
        result.append(
            Passage(
                number=number,
                pk=min(row["pk"] for row in group),
                start=first["start"],
                end=first["end"],
                quote=quote(text, first["start"], first["end"]),
                coder=first["coder__name"],
                codes=tuple(sorted(row["code__name"] for row in group)),
                exemplar=any(row["exemplar"] for row in group),
                memo=first["memo"],
                changeable=can_code
                and (owner == getattr(user, "pk", None) if owner is not None else not blind),
            )
        )
    return result


def passage_list(found: Sequence[Passage], show_coder: bool, prefix: str) -> SafeString:
    """The ``<li>`` of each passage: number, quote, codes, coder (unless blind), exemplar, memo
    and, where the member may change it, a link to its page (``prefix`` + pk + "/").

    Written here rather than in the template: a page with 1,500 codings renders its list in
    about 10 ms instead of 200.
    """
    items = []
    for passage in found:
        coder = (
            f' <span class="imheval-coder">({html.escape(passage.coder)})</span>'
            if show_coder
            else ""
        )
        exemplar = (
            ' <strong class="nhsuk-tag nhsuk-tag--green">Exemplar</strong>'
            if passage.exemplar
            else ""
        )
        memo = (
            f'<span class="imheval-memo">Memo: {html.escape(passage.memo)}</span>'
            if passage.memo
            else ""
        )
        change = (
            f' <a href="{prefix}{passage.pk}/">Change<span class="nhsuk-u-visually-hidden">'
            f" passage {passage.number}</span></a>"
            if passage.changeable
            else ""
        )
        items.append(
            f'<li id="c{passage.pk}"><span class="imheval-ref-number">{passage.number}</span> '
            f"“{html.escape(passage.quote)}”: <strong>{html.escape(', '.join(passage.codes))}"
            f"</strong>{coder}{exemplar}{memo}{change}</li>"
        )
    return mark_safe("".join(items))  # every value is escaped above


def _escape(text: str) -> str:
    # A carriage return is written as a reference: the HTML parser would turn a literal CR LF
    # into LF and every later offset would be one short.
    return html.escape(text, quote=False).replace("\r", "&#13;")


def blocks(text: str, turns: Sequence[Turn], found: Sequence[Passage]) -> list[Block]:
    """The text cut into blocks (turns and the text between them) and each block into runs.

    One pass over the sorted edges: a run is ``<mark>`` when passages cover it (its class
    says how many, its ``data-p`` which), ``<span>`` otherwise; after a passage's last run a
    small number points to it in the block's list. Overlapping turns are cut at the next turn's
    start. About 2 ms per 1,000 passages.
    """
    length = len(text)
    spans: list[tuple[int, int, Turn | None]] = []
    at = 0
    ordered = sorted(turns, key=lambda turn: (turn.start, turn.end))
    for index, turn in enumerate(ordered):
        start = max(min(turn.start, length), at)
        following = ordered[index + 1].start if index + 1 < len(ordered) else length
        end = max(min(turn.end, length, max(following, start)), start)
        if start > at:
            spans.append((at, start, None))
        if end > start:
            spans.append((start, end, turn))
        at = max(at, end)
    if at < length or not spans:
        spans.append((at, length, None))

    starting: dict[int, list[Passage]] = defaultdict(list)
    ending: dict[int, list[Passage]] = defaultdict(list)
    edges = {0, length}
    for passage in found:
        start, end = max(0, min(passage.start, length)), max(0, min(passage.end, length))
        if end <= start:
            continue
        starting[start].append(passage)
        ending[end].append(passage)
        edges.update((start, end))
    for start, end, _ in spans:
        edges.update((start, end))
    points = sorted(edges)

    active: dict[int, Passage] = {}
    result = []
    point_index = 0
    for start, end, spoken in spans:
        parts: list[str] = []
        listed: list[Passage] = []
        while point_index < len(points) and points[point_index] < end:
            here = points[point_index]
            following = points[point_index + 1]
            for passage in ending.get(here, ()):
                active.pop(passage.number, None)
            for passage in starting.get(here, ()):
                active[passage.number] = passage
            words = _escape(text[here:following])
            if active:
                numbers = " ".join(str(number) for number in sorted(active))
                depth = min(len(active), 3)
                parts.append(
                    f'<mark class="imheval-run imheval-coded-{depth}" data-s="{here}" '
                    f'data-p="{numbers}">{words}</mark>'
                )
            else:
                parts.append(f'<span class="imheval-run" data-s="{here}">{words}</span>')
            for passage in ending.get(following, ()):
                if passage.number in active:
                    parts.append(
                        f'<sup class="imheval-ref" aria-hidden="true">{passage.number}</sup>'
                    )
                    listed.append(passage)
            point_index += 1
        label = spoken.speaker.label if spoken is not None else ""
        content_start, content_end = content_span(text, start, end, label)
        result.append(
            Block(
                start=start,
                end=end,
                speaker=label,
                show_label=bool(label) and not text.startswith(label, start),
                turn=spoken.pk if spoken is not None else None,
                content_start=content_start,
                content_end=content_end,
                html=mark_safe("".join(parts)),
                passages=listed,
            )
        )
    return result


# ---------------------------------------------------------------------------- the codebook


@dataclass(frozen=True)
class Choice:
    """A codebook row in the picker: codable or a heading, with the rows under it."""

    pk: int
    name: str
    level: str
    definition: str
    codable: bool
    children: tuple[Choice, ...] = ()


def codebook(codes: Iterable[Code]) -> list[Choice]:
    """The study's codebook as a tree of themes, sub-themes and codes (in codebook order)."""
    rows = list(codes)
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in rows:
        children[code.parent_id].append(code)  # type: ignore[attr-defined]

    def build(code: Code, depth: int) -> Choice:
        below = () if depth > 3 else tuple(build(c, depth + 1) for c in children[code.pk])
        return Choice(
            code.pk, code.name, code.level, code.definition, code.level in CODABLE_LEVELS, below
        )

    return [build(code, 1) for code in children[None]]


# -------------------------------------------------------------------------------- reading a form


def _whole_number(value: str, name: str, problems: dict[str, str]) -> int | None:
    if not value.strip():
        return None
    number = posted_pk(value, POSITION_DIGITS)
    if number is None:
        problems[name] = (
            f"{'Start' if name == 'start' else 'End'} must be a whole number, like 120."
        )
    return number


def parse_codes(data: Any, codable: Mapping[int, Code], problems: dict[str, str]) -> list[Code]:
    """The codes ticked in ``data`` ("codes"), each one of ``codable``; at least one."""
    chosen: list[Code] = []
    for value in data.getlist("codes"):
        pk = posted_pk(value)
        if pk is None or pk not in codable:
            problems["codes"] = (
                "Choose codes or sub-themes of this study's codebook (a theme is coded through "
                "its sub-themes)."
            )
            return []
        if codable[pk] not in chosen:
            chosen.append(codable[pk])
    if not chosen and "codes" not in problems:
        problems["codes"] = "Choose at least one code for the passage."
    return chosen


def parse_memo(data: Any, problems: dict[str, str]) -> str:
    memo = str(data.get("memo", "")).strip()
    if "\x00" in memo:  # PostgreSQL's text cannot hold it: a server error on saving
        problems["memo"] = "The memo holds a NUL character: remove it and save again."
    elif len(memo) > MEMO_LENGTH:
        problems["memo"] = f"The memo is {len(memo):,} characters; keep it to {MEMO_LENGTH:,}."
    return memo


def parse_span(
    data: Any, source: Source, turns: Mapping[int, Turn], problems: dict[str, str]
) -> tuple[int, int] | None:
    """The passage chosen in ``data``: a whole turn ("turn"), or "start" and "end" (code point
    offsets, end exclusive) inside the source's text."""
    length = len(source.text)
    turn_value = str(data.get("turn", "")).strip()
    start = _whole_number(str(data.get("start", "")), "start", problems)
    end = _whole_number(str(data.get("end", "")), "end", problems)
    if "start" in problems or "end" in problems:
        return None
    if turn_value:
        if start is not None or end is not None:
            problems["turn"] = "Choose a whole turn, or give a start and end, not both."
            return None
        turn_pk = posted_pk(turn_value)
        turn = turns.get(turn_pk) if turn_pk is not None else None
        if turn is None:
            problems["turn"] = f"There is no such turn in {source.name}: choose one from the list."
            return None
        return content_span(source.text, turn.start, min(turn.end, length), turn.speaker.label)
    if start is None and end is None:
        problems["start"] = (
            "Select a passage in the text, choose a whole turn, or give a start and end."
        )
        return None
    if start is None or end is None:
        problems["start" if start is None else "end"] = "Give both a start and an end."
        return None
    if end > length:
        problems["end"] = f"The end ({end:,}) is past the end of the text ({length:,} characters)."
        return None
    if end <= start:
        problems["end"] = f"The end ({end:,}) must be after the start ({start:,})."
        return None
    if not source.text[start:end].strip():
        problems["start"] = "The passage is only spaces or line breaks: select some words."
        return None
    return start, end


# ------------------------------------------------------------------------------------ views


def _address(name: str, access: Access, **objects: Any) -> str:
    kwargs = {key: getattr(value, "pk", value) for key, value in objects.items()}
    return reverse(f"qualitative:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def _crumbs(access: Access, study: Study) -> list[tuple[str, str]]:
    # The study's pages belong to another part of the app; link to them once they exist.
    try:
        return [(study.name, _address("study", access, study=study))]
    except NoReverseMatch:
        return []


def _turn_choice(text: str, turn: Turn) -> tuple[int, str]:
    """A turn in the turn picker: its pk, and its speaker, first words and positions."""
    start, end = content_span(text, turn.start, turn.end, turn.speaker.label)
    return turn.pk, (
        f"{turn.speaker.label}: {quote(text, start, end, 48)} (characters {start} to {end})"
    )


def _codable(study: Study) -> dict[int, Code]:
    return {code.pk: code for code in study.codes.all() if code.level in CODABLE_LEVELS}  # type: ignore[attr-defined]


@organisation_page(methods=FORM)
def coding(request: HttpRequest, access: Access, study: Study, source: Source) -> HttpResponse:
    """The source's text with its codings; analysts select a passage and code it."""
    of_study(study, source)
    can_code = may(access, CODE)
    if request.method == "POST":
        require(access, CODE)
    codes = list(study.codes.all())  # type: ignore[attr-defined]
    turns = list(Turn.objects.filter(source=source).select_related("speaker"))
    problems: dict[str, str] = {}
    if request.method == "POST":
        codable = {code.pk: code for code in codes if code.level in CODABLE_LEVELS}
        span = parse_span(request.POST, source, {turn.pk: turn for turn in turns}, problems)
        chosen = parse_codes(request.POST, codable, problems)
        memo = parse_memo(request.POST, problems)
        if span is not None and not problems:
            made = _code_passage(
                request, study, source, span, chosen, memo, bool(request.POST.get("exemplar"))
            )
            messages.success(
                request,
                f"Coded “{quote(source.text, *span, length=80)}” with "
                f"{', '.join(sorted(code.name for code in chosen))}.",
            )
            return redirect(_address("coding", access, study=study, source=source) + f"#c{made}")
    me = coder_for(study, request.user)
    blind = is_blind(study)
    found = passages(shown_codings(source, blind, me), source.text, study, request.user, can_code)
    prefix = _address("coding_passage", access, study=study, source=source, coding=0)
    prefix = prefix.removesuffix("0/")
    context = {
        "study": study,
        "source": source,
        "blocks": [
            (block, passage_list(block.passages, not blind, prefix))
            for block in blocks(source.text, turns, found)
        ],
        "passage_count": len(found),
        "turns": [_turn_choice(source.text, turn) for turn in turns],
        "codebook": codebook(codes),
        "can_code": can_code,
        "blind": blind,
        "problems": problems,
        "posted": request.POST if problems else {},
        "ticked": posted_pks(request.POST.getlist("codes")) if problems else set(),
        "length": len(source.text),
        "crumbs": _crumbs(access, study),
    }
    return render(request, "qualitative/coding.html", context, status=400 if problems else 200)


def _code_passage(
    request: HttpRequest,
    study: Study,
    source: Source,
    span: tuple[int, int],
    chosen: Sequence[Code],
    memo: str,
    exemplar: bool,
) -> int:
    """One coding per code, sharing a selection; returns the first coding's pk."""
    selection = new_guid()
    with transaction.atomic():
        coder = coder_for(study, request.user, create=True)
        made = [
            Coding.objects.create(
                source=source,
                code=code,
                coder=coder,
                start=span[0],
                end=span[1],
                exemplar=exemplar,
                memo=memo,
                selection_guid=selection,
            )
            for code in chosen
        ]
    return made[0].pk


def passage_codings(coding: Coding) -> list[Coding]:
    """Every coding of ``coding``'s passage (same coder, selection and span)."""
    return list(
        Coding.objects.filter(
            source_id=coding.source_id,  # type: ignore[attr-defined]
            coder_id=coding.coder_id,  # type: ignore[attr-defined]
            selection_guid=coding.selection_guid,
            start=coding.start,
            end=coding.end,
        )
        .select_related("code")
        .order_by("pk")
    )


@organisation_page(methods=FORM)
def coding_passage(
    request: HttpRequest, access: Access, study: Study, source: Source, coding: Coding
) -> HttpResponse:
    """One passage: change its codes, exemplar and memo, or remove it."""
    of_study(study, source, coding)
    if coding.source_id != source.pk:  # type: ignore[attr-defined]
        raise Http404("No such passage in this source")
    coder = coding.coder
    blind = is_blind(study)
    if blind and coder.user_id != request.user.pk:  # type: ignore[attr-defined]
        raise Http404("No such passage in this source")
    require(access, CODE)
    if not may_change(study, coder, request.user):
        raise PermissionDenied(
            f"This passage was coded by {coder.name}: you can change only your own codings."
        )
    rows = passage_codings(coding)
    back = _address("coding", access, study=study, source=source)
    problems: dict[str, str] = {}
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            with transaction.atomic():
                for row in rows:
                    row.delete()
            messages.success(
                request,
                f"Removed the coding of “{quote(source.text, coding.start, coding.end, 80)}”.",
            )
            return redirect(back)
        chosen = parse_codes(request.POST, _codable(study), problems)
        memo = parse_memo(request.POST, problems)
        if not problems:
            _change_passage(rows, chosen, memo, bool(request.POST.get("exemplar")))
            messages.success(
                request,
                f"Saved the coding of “{quote(source.text, coding.start, coding.end, 80)}”: "
                f"{', '.join(sorted(code.name for code in chosen))}.",
            )
            first = min(row.pk for row in passage_codings(rows[0])) if rows else coding.pk
            return redirect(back + f"#c{first}")
    ticked = (
        posted_pks(request.POST.getlist("codes")) if problems else {row.code_id for row in rows}  # type: ignore[attr-defined]
    )
    context = {
        "study": study,
        "source": source,
        "coding": coding,
        "coder": coder,
        "quote": source.text[coding.start : coding.end],
        "codebook": codebook(study.codes.all()),  # type: ignore[attr-defined]
        "ticked": ticked,
        "exemplar": bool(request.POST.get("exemplar"))
        if problems
        else any(row.exemplar for row in rows),
        "memo": request.POST.get("memo", "") if problems else coding.memo,
        "problems": problems,
        "back": back,
        "crumbs": [*_crumbs(access, study), (source.name, back)],
    }
    return render(
        request, "qualitative/coding_passage.html", context, status=400 if problems else 200
    )


def _change_passage(rows: list[Coding], chosen: Sequence[Code], memo: str, exemplar: bool) -> None:
    """Codes added and removed, exemplar and memo set on every coding of the passage; each
    change saved on its own row so the audit log holds it."""
    first = rows[0]
    wanted = {code.pk for code in chosen}
    with transaction.atomic():
        for row in rows:
            if row.code_id not in wanted:  # type: ignore[attr-defined]
                row.delete()
            elif row.exemplar != exemplar or row.memo != memo:
                row.exemplar, row.memo = exemplar, memo
                row.save(update_fields=["exemplar", "memo"])
        present = {row.code_id for row in rows}  # type: ignore[attr-defined]
        for code in chosen:
            if code.pk not in present:
                Coding.objects.create(
                    source_id=first.source_id,  # type: ignore[attr-defined]
                    code=code,
                    coder_id=first.coder_id,  # type: ignore[attr-defined]
                    start=first.start,
                    end=first.end,
                    exemplar=exemplar,
                    memo=memo,
                    selection_guid=first.selection_guid,
                )
