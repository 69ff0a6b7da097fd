"""The questions of a Forms download that are not questionnaire items: the self-generated code,
the timepoint, the cohort (and programme, directorate, profession), and the questions that
identify people; and the timepoint of each download.

Each is found the same way: the person's option first (``--code-field``, ``--timepoint-field``,
``--cohort-field``), then the structure's (an instrument import may name them), then by title:

- the code: the ONE question whose title contains "code" ("Your self-generated code") and that
  the quiz does not score; none or several is a problem asking for ``--code-field``. Forms'
  response number (the ID column) may be named as the code of a single download, where each
  response is its own participant (it cannot link downloads: every form numbers from 1);
- the timepoint: a question whose title contains "timepoint" (or "time point"); failing that,
  when some download has no timepoint of its own, the one question whose every answer is a
  timepoint word (pre, post, follow-up, before, after, baseline) or an answer the person mapped;
- the cohort: a question whose title contains "cohort"; programme, directorate and profession:
  a question titled with that word (or "Your <word>").

Questions that identify people are dropped: a title
:func:`~imheval.interop.common.is_identifying_question` says so ("Name", "What is your name?",
"Your e-mail address:", "Phone number"; also with the digit Forms adds to a repeated title:
``Name2``), or answers that are mostly e-mail addresses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from imheval.errors import Problem
from imheval.interop.common import fold, is_identifying_question, lookup, timepoint_word
from imheval.interop.model import InstrumentImport, ResponseOptions
from imheval.interop.msforms._metadata import Role, looks_like_email
from imheval.interop.msforms._survey import Asked, Survey

#: The timepoints imheval's tidy layout knows.
TIMEPOINTS = ("pre", "post", "followup")
_PLACES = ("programme", "directorate", "profession")
_LISTED = 12  # how many question titles a message lists


@dataclass(frozen=True)
class Fields:
    """The questions that are not items, and the questions dropped as identifying."""

    code: Asked | None = None
    #: The participant is Forms' response number (the ID column), as the person asked.
    code_is_id: bool = False
    cohort: Asked | None = None
    timepoint: Asked | None = None
    places: dict[str, Asked] = field(default_factory=dict)
    identifying: tuple[Asked, ...] = ()

    def keys(self) -> set[str]:
        """The keys of every question that is not an item."""
        found = [self.code, self.cohort, self.timepoint, *self.places.values()]
        return {a.key for a in found if a is not None} | {a.key for a in self.identifying}


def identifying_questions(survey: Survey) -> tuple[Asked, ...]:
    """The questions that identify people (see the module docstring)."""
    found = []
    for asked in survey.questions:
        bare = re.sub(r"\s*\d+$", "", asked.title)
        answers = [cell.text for cell in survey.answers(asked)]
        addresses = sum(looks_like_email(text) for text in answers)
        named = is_identifying_question(asked.title, asked.title)
        if named or is_identifying_question(bare, bare) or 2 * addresses > len(answers) > 0:
            found.append(asked)
    return tuple(found)


def find_fields(
    survey: Survey,
    options: ResponseOptions,
    structure: InstrumentImport | None,
    file_timepoints: Sequence[str | None],
    exclude: set[str],
    problems: list[Problem],
) -> Fields:
    """The code, timepoint, cohort and place questions (problems appended for what is wrong).

    ``exclude`` holds the keys of questions already taken as items (read with a structure).
    """
    identifying = identifying_questions(survey)
    taken = set(exclude) | {a.key for a in identifying}
    scored = {asked.key for asked in survey.questions if _scored(survey, asked)}
    where = _files(survey)

    code, code_is_id = _code(survey, options, structure, taken | scored, identifying, problems)
    if code is not None:
        taken.add(code.key)
    timepoint = _named(
        survey,
        "timepoint",
        options.timepoint_field,
        structure.timepoint_field if structure else None,
        "--timepoint-field",
        taken,
        problems,
        lambda title: "timepoint" in fold(title).replace(" ", ""),
    )
    if timepoint is None and options.timepoint_field is None and None in file_timepoints:
        timepoint = _worded_timepoint(survey, options, taken | scored, where, problems)
    if timepoint is not None:
        taken.add(timepoint.key)
    cohort = _named(
        survey,
        "cohort",
        options.cohort_field,
        structure.cohort_field if structure else None,
        "--cohort-field",
        taken,
        problems,
        lambda title: "cohort" in fold(title),
    )
    if cohort is not None:
        taken.add(cohort.key)
    places: dict[str, Asked] = {}
    for place in _PLACES:
        for asked in survey.questions:
            title = fold(asked.title).rstrip("?: ")
            if asked.key not in taken and title in (place, f"your {place}"):
                places[place] = asked
                taken.add(asked.key)
                break
    return Fields(
        code=code,
        code_is_id=code_is_id,
        cohort=cohort,
        timepoint=timepoint,
        places=places,
        identifying=identifying,
    )


def file_timepoints(
    survey: Survey, options: ResponseOptions, files: Sequence[str], problems: list[Problem]
) -> list[str | None]:
    """Each download's timepoint from ``options.timepoints`` (its file name, or the name
    without folders), None where it has none; a name that is none of ``files`` (every file
    given, read or not), or a timepoint that is not pre, post or follow-up, is a problem."""
    found: list[str | None] = []
    for file in (export.file for export in survey.exports):
        given = lookup(options.timepoints, file)
        if given is None:  # a path given for a file named without its folders, or the reverse
            bare = fold(PurePath(file).name)
            given = next(
                (
                    tp
                    for name, tp in options.timepoints.items()
                    if fold(PurePath(name).name) == bare
                ),
                None,
            )
        found.append(None if given is None else _timepoint(given, file, problems))
    known = {fold(name) for file in files for name in (file, PurePath(file).name)}
    for name in options.timepoints:
        if fold(name) not in known and fold(PurePath(name).name) not in known:
            problems.append(
                Problem(
                    file=name,
                    message="a timepoint is given for this file, but it is not one of the files "
                    f"read ({', '.join(files)}); give each file's name as you gave the file",
                )
            )
    return found


def row_timepoint(answer: str, options: ResponseOptions) -> str | None:
    """The timepoint an answer to the timepoint question stands for: the person's mapping
    (``--events ANSWER=TIMEPOINT``) first, then a timepoint word; None when neither."""
    mapped = lookup(options.events, answer.strip())
    if mapped is not None:
        return timepoint_word(mapped) or (fold(mapped) if fold(mapped) in TIMEPOINTS else None)
    return timepoint_word(answer)


def titles(questions: Sequence[Asked]) -> str:
    """Question titles for a message, the first few quoted."""
    shown = ", ".join(f"'{_short(a.title)}'" for a in questions[:_LISTED])
    more = len(questions) - _LISTED
    return shown + (f" and {more} more" if more > 0 else "") if questions else "none"


def _timepoint(given: str, file: str, problems: list[Problem]) -> str | None:
    word = timepoint_word(given) or (fold(given) if fold(given) in TIMEPOINTS else None)
    if word is None:
        problems.append(
            Problem(
                file=file,
                message=f"the timepoint given for this file, '{given}', is not one imheval "
                "knows; give pre, post or followup",
            )
        )
    return word


def _code(
    survey: Survey,
    options: ResponseOptions,
    structure: InstrumentImport | None,
    excluded: set[str],
    identifying: tuple[Asked, ...],
    problems: list[Problem],
) -> tuple[Asked | None, bool]:
    where = _files(survey)
    named = options.code_field or (structure.code_field if structure else None)
    if named is not None:
        ids = {fold(title) for title in survey.metadata_titles(Role.ID)} | {"id"}
        if fold(named) in ids:
            if len(survey.exports) > 1:
                problems.append(
                    Problem(
                        file=where,
                        message="Forms' response number (the ID column) cannot be the "
                        "participant code when several downloads are read: every form numbers "
                        "its responses from 1, so different people would be matched. Add a "
                        "self-generated code question to the form, or read one download at a "
                        "time",
                    )
                )
            return None, True
        asked = survey.find(named)
        if asked is None:
            problems.append(
                Problem(
                    file=where,
                    message=f"the code field '{named}' is not a question of the download; "
                    f"its questions are {titles(survey.questions)}",
                )
            )
        elif asked in identifying:
            problems.append(
                Problem(
                    file=where,
                    column=asked.title,
                    message="this question identifies people, so imheval never reads it; "
                    "name the question that holds the self-generated code",
                )
            )
            asked = None
        return asked, False
    candidates = [a for a in survey.questions if "code" in fold(a.title) and a.key not in excluded]
    if len(candidates) == 1:
        return candidates[0], False
    if candidates:
        problems.append(
            Problem(
                file=where,
                message="several questions could hold the self-generated code "
                f"({titles(candidates)}); name the right one with --code-field",
            )
        )
    else:
        problems.append(
            Problem(
                file=where,
                message="no question holds the self-generated code (imheval looks for the one "
                "question whose title contains 'code', such as 'Your self-generated code'); "
                "name it with --code-field. The questions are "
                f"{titles([a for a in survey.questions if a not in identifying])}",
            )
        )
    return None, False


def _named(
    survey: Survey,
    what: str,
    given: str | None,
    from_structure: str | None,
    flag: str,
    taken: set[str],
    problems: list[Problem],
    titled: Callable[[str], bool],
) -> Asked | None:
    where = _files(survey)
    if given is not None:
        asked = survey.find(given)
        if asked is None:
            problems.append(
                Problem(
                    file=where,
                    message=f"the {what} question '{given}' is not a question of the download; "
                    f"its questions are {titles(survey.questions)}",
                )
            )
        return asked
    if from_structure is not None:
        asked = survey.find(from_structure)
        if asked is not None:
            return asked
    candidates = [a for a in survey.questions if a.key not in taken and titled(a.title)]
    if len(candidates) > 1:
        problems.append(
            Problem(
                file=where,
                message=f"several questions could hold the {what} ({titles(candidates)}); "
                f"name the right one with {flag}",
            )
        )
        return None
    return candidates[0] if candidates else None


def _worded_timepoint(
    survey: Survey,
    options: ResponseOptions,
    excluded: set[str],
    where: str,
    problems: list[Problem],
) -> Asked | None:
    candidates = []
    for asked in survey.questions:
        answers = [cell.text for cell in survey.answers(asked)]
        if (
            asked.key not in excluded
            and answers
            and all(row_timepoint(text, options) is not None for text in answers)
        ):
            candidates.append(asked)
    if len(candidates) > 1:
        problems.append(
            Problem(
                file=where,
                message="several questions could hold the timepoint, as every answer to each "
                f"is a timepoint word ({titles(candidates)}); name the right one with "
                "--timepoint-field",
            )
        )
        return None
    return candidates[0] if candidates else None


def _scored(survey: Survey, asked: Asked) -> bool:
    """Whether the quiz gave any answer to this question points."""
    return any(points is not None and points > 0 for _, points in survey.points(asked))


def _files(survey: Survey) -> str:
    return ", ".join(export.file for export in survey.exports)


def _short(title: str, limit: int = 60) -> str:
    flat = " ".join(title.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
