"""The questionnaire of a Forms download, inferred from its questions and answers (Forms has no
structure file to export).

Each question column that is not the code, timepoint, cohort, a place or identifying becomes
one question, with id ``q<N>`` (N its position among the download's questions, so ``q3`` is the
third question) and its title as text. Its options are the distinct answers seen in every file
read, sorted, coded ``a``, ``b``, ``c`` ... (``1``, ``2`` ... beyond 26). Then:

- a QUIZ question (its ``Points - `` column gives some answer points) is keyed: the key is the
  answers that scored, the points what they scored (when not 1). When one answer scored
  differently in different rows, or the right answers scored differently, the file cannot say
  which answers are right: the question is left unkeyed and the omission names the rows. When
  every answer seen scored, the wrong options are unknown and the question is left out;
- a MULTI-SELECT question (every answer ends with ";", as Forms writes them) becomes one item
  per option seen, ``q<N>_<M>``, answered 1 (ticked) or 0 (not ticked), blank when the question
  was not answered. In a quiz, the option items are keyed from the rows that scored full
  points: a right option keyed "ticked", a wrong one "not ticked" (so a person scores one point
  per option they got right, where Forms gives the question's points only for the whole set);
- a question whose answers are all whole numbers less than 11 apart and that is not scored is a
  RATING item on a scale from the lowest to the highest answer seen (say so: the real scale
  may be wider; edit instrument.yaml). Questions on the same range share one scale;
- a question with many different long answers (or answers over several lines) is OPEN text;
- any other question with two or more different answers is a CHOICE question nothing scores:
  left out of the instrument and listed (:class:`~imheval.interop.model.UnkeyedQuestion`) with
  the command to key it.

Domains: the keyed items in one domain named after the form; ratings in a domain of their own
per scale when there are keyed items or other scales too (a knowledge total and a confidence
total, or totals on different scales, should not be added together); with ratings on one
scale only, one domain named after the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from statistics import mean

from pydantic import ValidationError

from imheval.errors import Problem, list_rows
from imheval.instruments import (
    Domain,
    Instrument,
    KeyedItem,
    OpenItem,
    RatingItem,
    RatingScale,
    TrainingLevel,
)
from imheval.instruments.model import DEFAULT_OPEN_MAX_LENGTH, MAX_OPEN_MAX_LENGTH
from imheval.interop.common import fold, looks_like_email, make_identifier
from imheval.interop.model import (
    AnswerMap,
    InstrumentImport,
    Omission,
    System,
    UnkeyedQuestion,
)
from imheval.interop.msforms._fields import Fields, titles
from imheval.interop.msforms._survey import Asked, Cell, Fill, Survey, is_multiselect, split_choices

#: A rating scale spans at most this many points (0 to 10).
MAX_RATING_POINTS = 11
_INTEGER = re.compile(r"-?\d+")
_TICKED = {"1": "ticked", "0": "not ticked"}
_TICK_CODES = {"1": "1", "0": "0"}

Question = KeyedItem | RatingItem | OpenItem


@dataclass(frozen=True)
class Inferred:
    """The inferred instrument and how each of its questions is read from the downloads."""

    structure: InstrumentImport
    fills: tuple[Fill, ...]
    notes: tuple[str, ...] = ()


@dataclass
class _Builder:
    """What the inference has gathered so far (in the downloads' question order)."""

    main: str
    title: str
    questions: list[Question] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    answers: list[AnswerMap] = field(default_factory=list)
    unkeyed: list[UnkeyedQuestion] = field(default_factory=list)
    omissions: list[Omission] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    scales: dict[tuple[int, int], list[str]] = field(default_factory=dict)
    #: Quiz questions whose points contradict themselves: title -> what the points say.
    inconsistent: dict[str, str] = field(default_factory=dict)
    #: How each unkeyed question would be read, should the person give its key.
    unkeyed_fills: dict[str, Fill] = field(default_factory=dict)

    def last(self) -> str | None:
        return self.questions[-1].id if self.questions else None


def infer(
    survey: Survey,
    fields: Fields,
    title: str,
    language: str,
    problems: list[Problem],
    keys: Mapping[str, Sequence[str]] | None = None,
) -> Inferred | None:
    """The instrument inferred from ``survey`` (see the module docstring); None, with a problem
    appended, when no question can be scored.

    ``keys`` keys questions the download does not (``--key``): by the question's title (a
    multi-select option's ``<title>: <option>``) or its id, with option codes or the answers'
    words; a name that is no unkeyed question, or an answer that is no option, is a problem.
    """
    main = make_identifier(title).lower()
    built = _Builder(main=main, title=title)
    skipped = fields.keys()
    for number, asked in enumerate(survey.questions, start=1):
        if asked.key in skipped:
            continue
        _question(survey, asked, f"q{number}", built)
    if keys:
        before = len(problems)
        _apply_keys(survey, built, keys, problems)
        if len(problems) > before:
            return None
    scored = [q for q in built.questions if not isinstance(q, OpenItem)]
    if not scored:
        problems.append(_nothing_scored(survey, built))
        files = ", ".join(export.file for export in survey.exports)
        for title, why in built.inconsistent.items():
            problems.append(
                Problem(file=files, column=title, message=f"{why}. Check the answer key in Forms")
            )
        return None
    instrument = _instrument(built, title, language, problems)
    if instrument is None:
        return None
    order = [q.id for q in instrument.questions]
    answers = sorted(built.answers, key=lambda answer: order.index(answer.item))
    structure = InstrumentImport(
        instrument=instrument,
        system=System.MSFORMS,
        answers=tuple(answers),
        omissions=tuple(built.omissions),
        code_field=fields.code.title if fields.code else None,
        cohort_field=fields.cohort.title if fields.cohort else None,
        timepoint_field=fields.timepoint.title if fields.timepoint else None,
        identifying=tuple(dict.fromkeys(a.title for a in fields.identifying)),
        unkeyed=tuple(built.unkeyed),
    )
    fills = sorted(built.fills, key=lambda fill: order.index(fill.item))
    return Inferred(structure=structure, fills=tuple(fills), notes=tuple(built.notes))


def form_title(files: Sequence[str]) -> str:
    """The form's title from its downloads' names: Forms names a download after the form and
    the responses in it (``IMH quiz(1-24).xlsx``); with several files, the words they share
    (``IMH quiz pre`` and ``IMH quiz post`` give ``IMH quiz``)."""
    names = [re.sub(r"\s*\(\d+\s*-\s*\d+\)\s*$", "", _stem(file)).strip() for file in files]
    names = [name for name in names if name] or ["Microsoft Forms questionnaire"]
    shared = names[0].split()
    for name in names[1:]:
        words = name.split()
        length = 0
        while length < min(len(shared), len(words)) and shared[length] == words[length]:
            length += 1
        shared = shared[:length]
    title = " ".join(shared).strip(" -_") or names[0]
    return title if make_identifier(title)[0].isalpha() else f"Form {title}"


def _stem(file: str) -> str:
    name = file.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _question(survey: Survey, asked: Asked, item: str, built: _Builder) -> None:
    cells = survey.answers(asked)
    answers = [cell.text.strip() for cell in cells]
    where = f"question '{asked.title}'"
    if not answers:
        built.omissions.append(Omission(where, "no one answered this question: left out"))
        return
    points = survey.points(asked)
    if any(value is not None and value > 0 for _, value in points):
        if is_multiselect(answers):
            _scored_multiselect(survey, asked, item, points, built)
        else:
            _scored_choice(survey, asked, item, points, built)
        return
    if is_multiselect(answers):
        options = _options(choice for answer in answers for choice in split_choices(answer))
        for index, option in enumerate(options.values(), start=1):
            _unkeyed(asked, f"{item}_{index}", f"{asked.title}: {option}", _TICKED, built, option)
        built.notes.append(
            f"{item} '{asked.title}' is a multi-select question: each option became a question "
            "of its own, answered 1 (ticked) or 0 (not ticked)"
        )
        return
    distinct = sorted(set(answers), key=fold)
    if all(_INTEGER.fullmatch(answer) for answer in answers):
        values = sorted({int(answer) for answer in answers})
        if len(values) >= 2 and values[-1] - values[0] < MAX_RATING_POINTS:
            _rating(asked, item, values[0], values[-1], built)
            return
        if len(values) >= 2:
            built.omissions.append(
                Omission(
                    where,
                    f"its answers are numbers from {values[0]} to {values[-1]}, too far apart "
                    "for a rating scale and not scored: left out",
                )
            )
            return
    if _is_open(answers, cells):
        longest = max(len(cell.text) for cell in cells)
        limit = min(MAX_OPEN_MAX_LENGTH, max(DEFAULT_OPEN_MAX_LENGTH, longest))
        built.questions.append(OpenItem(kind="open", id=item, text=asked.title, max_length=limit))
        built.fills.append(Fill(item=item, asked=asked))
        built.answers.append(AnswerMap(item=item, source=asked.title))
        if longest > MAX_OPEN_MAX_LENGTH:
            built.notes.append(
                f"{item} '{asked.title}': some answers are longer than {MAX_OPEN_MAX_LENGTH} "
                "characters, the most an open question keeps"
            )
        return
    if any(looks_like_email(answer) for answer in answers):
        built.omissions.append(
            Omission(
                where,
                "some of its answers hold an e-mail address, so imheval neither lists nor reads "
                "its answers: left out",
            )
        )
        return
    if len(distinct) < 2:
        built.omissions.append(
            Omission(
                where,
                f"every answer is '{distinct[0]}', so imheval cannot tell what the options are: "
                "left out",
            )
        )
        return
    _unkeyed(asked, item, asked.title, _options(answers), built)


def _options(labels: Iterable[str]) -> dict[str, str]:
    """Codes a, b, c ... (1, 2, 3 ... beyond 26) for the distinct labels, sorted."""
    distinct = sorted({label.strip() for label in labels}, key=lambda t: (fold(t), t))
    if len(distinct) <= 26:
        codes = [chr(ord("a") + index) for index in range(len(distinct))]
    else:
        codes = [str(index) for index in range(1, len(distinct) + 1)]
    return dict(zip(codes, distinct, strict=True))


def _is_open(answers: Sequence[str], cells: Sequence[Cell]) -> bool:
    """Free text: answers over several lines, or many different answers that are long."""
    if any("\n" in cell.text.strip() for cell in cells):
        return True
    distinct = len(set(answers))
    if distinct > 20 and distinct > len(answers) / 2:
        return True
    return len(answers) >= 3 and distinct >= 0.8 * len(answers) and mean(map(len, answers)) >= 30


def _scored_choice(
    survey: Survey,
    asked: Asked,
    item: str,
    points: Sequence[tuple[Cell, float | None]],
    built: _Builder,
) -> None:
    scores: dict[str, dict[float, list[Cell]]] = {}
    for cell, value in points:
        scores.setdefault(cell.text.strip(), {})
        if value is not None:
            scores[cell.text.strip()].setdefault(value, []).append(cell)
    options = _options(list(scores))
    labels = {label: code for code, label in options.items()}
    mixed = {label: seen for label, seen in scores.items() if len(seen) > 1}
    right = {label: next(iter(seen)) for label, seen in scores.items() if _positive(seen)}
    worth = set(right.values())
    where = f"question '{asked.title}'"
    if mixed or len(worth) > 1:
        parts = mixed or {label: scores[label] for label in right}
        detail = "; ".join(
            f"'{label}' got "
            + " but ".join(f"{_points(v)} in {_rows(survey, cells)}" for v, cells in seen.items())
            for label, seen in parts.items()
        )
        reason = (
            "the same answer scored differently in different rows"
            if mixed
            else "its right answers scored different points"
        )
        _contradiction(built, asked, f"{reason} ({detail})")
        if len(options) >= 2:
            _unkeyed(asked, item, asked.title, options, built, listed=False)
        return
    if len(right) == len(options):
        built.omissions.append(
            Omission(
                where,
                "every answer given scored, so the wrong options are not in the file: left out "
                "(add the question to instrument.yaml with its options, or download again once "
                "someone has answered it wrongly)",
            )
        )
        return
    value = next(iter(worth))
    built.questions.append(
        KeyedItem(
            id=item,
            domain=built.main,
            text=asked.title,
            options=options,
            key=tuple(labels[label] for label in sorted(right, key=lambda t: labels[t])),
            points=value,
        )
    )
    built.fills.append(Fill(item=item, asked=asked, codes=labels))
    built.answers.append(AnswerMap(item=item, source=asked.title, codes=labels))


def _scored_multiselect(
    survey: Survey,
    asked: Asked,
    item: str,
    points: Sequence[tuple[Cell, float | None]],
    built: _Builder,
) -> None:
    choices = _options(choice for cell, _ in points for choice in split_choices(cell.text))
    best = max(value for _, value in points if value is not None)
    full = {frozenset(map(fold, split_choices(c.text))) for c, v in points if v == best}
    none = [c for c, v in points if v == 0 and frozenset(map(fold, split_choices(c.text))) in full]
    partial = [c for c, v in points if v is not None and 0 < v < best]
    if len(full) > 1 or none:
        reason = (
            "different sets of answers scored full points"
            if len(full) > 1
            else f"the set that scored full points also scored 0 in {_rows(survey, none)}"
        )
        _contradiction(built, asked, reason)
        for index, option in enumerate(choices.values(), start=1):
            text = f"{asked.title}: {option}"
            _unkeyed(asked, f"{item}_{index}", text, _TICKED, built, option, listed=False)
        return
    right = next(iter(full))
    for index, option in enumerate(choices.values(), start=1):
        option_item = f"{item}_{index}"
        built.questions.append(
            KeyedItem(
                id=option_item,
                domain=built.main,
                text=f"{asked.title}: {option}",
                options=_TICKED,
                key=("1",) if fold(option) in right else ("0",),
            )
        )
        built.fills.append(Fill(item=option_item, asked=asked, option=option, codes=_TICK_CODES))
        built.answers.append(
            AnswerMap(
                item=option_item,
                source=f"{asked.title}: {option}",
                codes=_TICK_CODES,
                columns=(asked.title,),
            )
        )
    note = (
        f"{item} '{asked.title}' is a multi-select quiz question: each option became a keyed "
        "question of its own (one point for ticking a right option or leaving a wrong one), "
        "keyed from the answers that scored full points"
    )
    if partial:
        note += f"; Forms gave part of the points in {_rows(survey, partial)}, which imheval "
        note += "does not copy"
    built.notes.append(note)


def _contradiction(built: _Builder, asked: Asked, reason: str) -> None:
    """Record that a quiz question's points contradict themselves, and leave it unkeyed."""
    why = f"the quiz's points do not say which answer is right: {reason}"
    built.inconsistent[asked.title] = why
    built.omissions.append(
        Omission(
            f"question '{asked.title}'",
            f"{why}. It is not keyed: check the answer key in Forms, or give the key with "
            f'--key "{asked.title}=ANSWER"',
        )
    )


def _rating(asked: Asked, item: str, low: int, high: int, built: _Builder) -> None:
    built.scales.setdefault((low, high), []).append(item)
    built.questions.append(
        RatingItem(id=item, domain=built.main, text=asked.title, scale=_range(low, high))
    )
    codes = {str(value): str(value) for value in range(low, high + 1)}
    built.fills.append(Fill(item=item, asked=asked, codes=codes))
    built.answers.append(AnswerMap(item=item, source=asked.title, codes=codes))


def _unkeyed(
    asked: Asked,
    item: str,
    text: str,
    options: Mapping[str, str],
    built: _Builder,
    option: str | None = None,
    listed: bool = True,
) -> None:
    codes = {label: code for code, label in options.items()}
    source = text if option is not None else asked.title
    built.unkeyed_fills[item] = Fill(
        item=item, asked=asked, option=option, codes=codes if option is None else _TICK_CODES
    )
    built.unkeyed.append(
        UnkeyedQuestion(
            item=item,
            source=source,
            text=text,
            domain=built.main,
            options=dict(options),
            answers=AnswerMap(
                item=item,
                source=source,
                codes=codes if option is None else _TICK_CODES,
                columns=(asked.title,) if option is not None else (),
            ),
            after=built.last(),
        )
    )
    if listed:
        shown = ", ".join(f"'{label}'" for label in list(options.values())[:8])
        built.omissions.append(
            Omission(
                f"question '{source}'",
                f"no answer key (the form is not a quiz, or the quiz does not score it): left "
                f'out until its key is given with --key "{source}=ANSWER" (its answers: '
                f"{shown}{' ...' if len(options) > 8 else ''})",
            )
        )


def _apply_keys(
    survey: Survey, built: _Builder, keys: Mapping[str, Sequence[str]], problems: list[Problem]
) -> None:
    """Make each unkeyed question named in ``keys`` a keyed item, in its place."""
    files = ", ".join(export.file for export in survey.exports)
    for name, given in keys.items():
        wanted = fold(name)
        found = next((u for u in built.unkeyed if wanted in (fold(u.source), fold(u.item))), None)
        if found is None:
            listed = ", ".join(f"'{u.source}'" for u in built.unkeyed[:12]) or "none"
            problems.append(
                Problem(
                    file=files,
                    column=name,
                    message="a key is given for this question, but it is not a question of the "
                    f"download that lacks one; the questions without a key are {listed}",
                )
            )
            continue
        labels = {fold(label): code for code, label in found.options.items()}
        key = [code if code in found.options else labels.get(fold(code), "") for code in given]
        unknown = [code for code, chosen in zip(given, key, strict=True) if not chosen]
        if unknown or not key or set(key) == set(found.options):
            answers = ", ".join(f"'{label}'" for label in found.options.values())
            why = (
                f"{', '.join(repr(code) for code in unknown)} is not one of its answers"
                if unknown
                else "a key must leave at least one answer wrong"
            )
            problems.append(
                Problem(
                    file=files,
                    column=found.source,
                    message=f"the key given for this question cannot be used: {why} "
                    f"(its answers are {answers})",
                )
            )
            continue
        built.unkeyed.remove(found)
        built.omissions = [o for o in built.omissions if o.where != f"question '{found.source}'"]
        built.questions.append(
            KeyedItem(
                id=found.item,
                domain=built.main,
                text=found.text,
                options=dict(found.options),
                key=tuple(dict.fromkeys(key)),
            )
        )
        built.fills.append(built.unkeyed_fills[found.item])
        built.answers.append(found.answers)
    built.questions.sort(key=lambda question: _place(question.id))
    built.unkeyed = [replace(u, after=_after(built.questions, u.item)) for u in built.unkeyed]


def _place(item: str) -> tuple[int, ...]:
    """Where an inferred question stands: ``q12_3`` → (12, 3), ``q12`` → (12, 0)."""
    numbers = [int(part) for part in re.findall(r"\d+", item)]
    return (*numbers, 0) if len(numbers) == 1 else tuple(numbers)


def _after(questions: Sequence[Question], item: str) -> str | None:
    """The id of the last question before ``item``'s place."""
    before = [q.id for q in questions if _place(q.id) < _place(item)]
    return before[-1] if before else None


def _instrument(
    built: _Builder, title: str, language: str, problems: list[Problem]
) -> Instrument | None:
    keyed = any(isinstance(q, KeyedItem) for q in built.questions)
    ranges = list(built.scales)
    scales: dict[str, RatingScale] = {}
    domains = [Domain(id=built.main, label=title)] if keyed else []
    renamed: dict[str, tuple[str, str]] = {}  # _range(low, high) -> (scale id, domain id)
    for index, (low, high) in enumerate(ranges, start=1):
        scale = f"scale_{index}"
        scales[scale] = RatingScale(min=low, max=high)
        domain = built.main
        if keyed or len(ranges) > 1:
            domain = f"{built.main}-ratings" + (f"-{low}-{high}" if len(ranges) > 1 else "")
            domains.append(Domain(id=domain, label=f"{title}: ratings {low} to {high}"))
        renamed[_range(low, high)] = (scale, domain)
        items = ", ".join(built.scales[(low, high)])
        built.notes.append(
            f"{items}: whole-number answers from {low} to {high}, read as ratings on a scale "
            f"{low} to {high} ({scale}); its ends are the lowest and highest answers seen, so if "
            "the real scale is wider, edit the scale in instrument.yaml"
        )
    if not domains:
        domains = [Domain(id=built.main, label=title)]
    questions: list[Question] = []
    for question in built.questions:
        if isinstance(question, RatingItem):
            scale, domain = renamed[question.scale]
            question = question.model_copy(update={"scale": scale, "domain": domain})
        questions.append(question)
    try:
        return Instrument(
            format="imheval-instrument/1",
            id=built.main,
            version="1.0.0",
            title=title,
            language=language,
            levels=tuple(TrainingLevel),
            domains=tuple(domains),
            scales=scales,
            questions=tuple(questions),
        )
    except ValidationError as error:  # a bug if it happens; never a traceback for the person
        problems.append(
            Problem(
                file=title,
                message=f"imheval could not build the questionnaire it inferred: {error}",
            )
        )
        return None


def _nothing_scored(survey: Survey, built: _Builder) -> Problem:
    files = ", ".join(export.file for export in survey.exports)
    why = []
    if built.inconsistent:
        why.append(
            f"the quiz's points contradict themselves for {len(built.inconsistent)} question(s) "
            f"({', '.join(repr(t) for t in list(built.inconsistent)[:6])}"
            f"{' ...' if len(built.inconsistent) > 6 else ''}), so imheval cannot tell which "
            "answers are right"
        )
    unscored = [u for u in built.unkeyed if u.text not in built.inconsistent]
    if unscored:
        named = ", ".join(f"'{u.text}'" for u in unscored[:8])
        more = f" and {len(unscored) - 8} more" if len(unscored) > 8 else ""
        why.append(
            f"{len(unscored)} choice question(s) have no answer key (the form is not a quiz, or "
            f"the quiz does not score them): {named}{more}"
        )
    asked = list(survey.questions)
    return Problem(
        file=files,
        message="no question can be scored: "
        + ("; ".join(why) if why else f"the questions are {titles(asked)}")
        + ", and no question has whole-number answers on a rating scale. Give the answer keys "
        '(--key "QUESTION=ANSWER"), or the instrument the form was built from (its question '
        "texts must match the column titles), or set the quiz's answer key in Forms and "
        "download the responses again",
    )


def _range(low: int, high: int) -> str:
    """A stand-in scale id for a range, until the scales are numbered."""
    return f"r{low}_{high}"


def _positive(seen: Mapping[float, list[Cell]]) -> bool:
    return len(seen) == 1 and next(iter(seen)) > 0


def _points(value: float) -> str:
    return f"{value:g}"


def _rows(survey: Survey, cells: Sequence[Cell]) -> str:
    by_file: dict[int, list[int]] = {}
    for cell in cells:
        by_file.setdefault(cell.export, []).append(cell.row)
    if len(survey.exports) == 1:
        return list_rows(sorted(next(iter(by_file.values()))))
    return ", ".join(
        f"{list_rows(sorted(rows))} of {survey.exports[index].file}"
        for index, rows in by_file.items()
    )
