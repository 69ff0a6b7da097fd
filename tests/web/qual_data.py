"""Builders for the qualitative web tests: a study on one of an organisation's scopes, a
transcript source with its speakers and turns, codebook rows, coders and codings, and members
in the new roles (analyst, reviewer) that ``conftest.workspace`` does not make.

Each builder writes straight to the database (no forms, no audit door), so a test starts from
a known state and exercises only the page under test. Every text is pseudonymised already:
speaker labels only, as the issue requires.

Example::

    study = make_study(workspace.organisation, scope=workspace.cohort)
    source = make_source(study, FOCUS_GROUP)
    theme = make_code(study, "Confidence")
    sub = make_code(study, "Knowing what to say", parent=theme)
    code = make_code(study, "Light bulb moment", parent=sub)
    make_coding(source, code, coder=make_coder(study, "Analyst A"), text="made sense")
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

#: A short focus group (seed 002's style): a facilitator and three pseudonymous speakers.
FOCUS_GROUP = (
    "Facilitator: What did the network group give you?\n"
    "PX1: It made sense of what I see on the ward. A light bulb moment, really.\n"
    "PX2: Time to think. We never get time to think.\n"
    "PX3: Confidence to talk to parents about the baby's cues.\n"
    "PX1: And the readings made sense too.\n"
)

#: "Label: words" at the start of a line (the builder's own simple turn finder).
_TURN = re.compile(r"^(?P<label>[A-Za-z][\w ]{0,40}?):[ \t]*", re.MULTILINE)


def add_member(organisation: Any, role: str, username: str | None = None) -> Any:
    """A new user with ``role`` in ``organisation`` (e.g. "analyst", "reviewer")."""
    from django.contrib.auth import get_user_model

    from imheval.web.organisations.models import Membership

    name = username or f"{role}-{organisation.slug}"
    user = get_user_model().objects.create_user(username=name, password="x-not-used-x")
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_study(
    organisation: Any,
    scope: Any,
    name: str = "Focus groups after training",
    **settings: Any,
) -> Any:
    """A study of ``scope`` (a Cohort, Programme or NetworkGroup of ``organisation``)."""
    from imheval.web.network.models import NetworkGroup
    from imheval.web.qualitative.models import Study
    from imheval.web.workspace.models import Cohort, Programme

    field = {Cohort: "cohort", Programme: "programme", NetworkGroup: "network_group"}[type(scope)]
    return Study.objects.create(organisation=organisation, name=name, **{field: scope}, **settings)


def make_source(
    study: Any,
    text: str = FOCUS_GROUP,
    speakers: dict[str, dict[str, str]] | None = None,
    name: str = "Focus group 1",
    **fields: Any,
) -> Any:
    """A source holding ``text``, with a Speaker (made if missing) and a Turn for each line
    starting "Label:". ``speakers`` gives attributes by label ({"PX1": {"profession": ...}});
    labels listed there but not speaking are made too."""
    from imheval.web.qualitative.models import Source, Speaker, Turn

    fields.setdefault("origin", "focus-group.txt")
    source = Source.objects.create(study=study, name=name, text=text, **fields)
    wanted = dict(speakers or {})
    found = list(_TURN.finditer(text))
    for match in found:
        wanted.setdefault(match.group("label"), {})
    by_label = {}
    for label, attributes in wanted.items():
        speaker, made = Speaker.objects.get_or_create(
            study=study, label=label, defaults={"attributes": attributes}
        )
        if not made and attributes:
            speaker.attributes = {**speaker.attributes, **attributes}
            speaker.save()
        by_label[label] = speaker
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        Turn.objects.create(
            source=source,
            speaker=by_label[match.group("label")],
            start=match.start(),
            end=end,
        )
    return source


def make_code(
    study: Any,
    name: str,
    parent: Any | None = None,
    definition: str = "",
    colour: str = "",
    level: str | None = None,
) -> Any:
    """A codebook row: a theme (no parent), a sub-theme (under a theme) or a code (under a
    sub-theme); the level follows the parent unless given."""
    from imheval.web.qualitative.models import Code, CodeChange

    if level is None:
        level = {None: "theme", "theme": "subtheme", "subtheme": "code"}[
            None if parent is None else parent.level
        ]
    code = Code.objects.create(
        study=study, parent=parent, level=level, name=name, definition=definition, colour=colour
    )
    CodeChange.objects.create(code=code, kind="created", after=name)
    return code


def make_codebook(study: Any) -> dict[str, Any]:
    """Seed 002's shape in small: one theme, two sub-themes, three codes, by name."""
    theme = make_code(study, "Space to reflect", definition="Time away from the ward to think.")
    thinking = make_code(study, "Time to think", parent=theme)
    sense = make_code(study, "Making sense", parent=theme)
    return {
        "theme": theme,
        "thinking": thinking,
        "sense": sense,
        "never time": make_code(study, "Never time", parent=thinking),
        "light bulb": make_code(study, "Light bulb moment", parent=sense),
        "readings": make_code(study, "Readings helped", parent=sense),
    }


def make_coder(study: Any, name: str = "Analyst A", user: Any | None = None) -> Any:
    from imheval.web.qualitative.models import Coder

    coder, _ = Coder.objects.get_or_create(study=study, name=name, defaults={"user": user})
    return coder


def make_coding(
    source: Any,
    code: Any,
    coder: Any | None = None,
    start: int | None = None,
    end: int | None = None,
    text: str | None = None,
    **fields: Any,
) -> Any:
    """A coding of ``source.text[start:end]``; or of the first occurrence of ``text``."""
    from imheval.web.qualitative.models import Coding

    if text is not None:
        start = source.text.index(text)
        end = start + len(text)
    if start is None or end is None:
        raise ValueError("give start and end, or text")
    coder = coder or make_coder(source.study)
    return Coding.objects.create(
        source=source, code=code, coder=coder, start=start, end=end, **fields
    )


def url(name: str, **kwargs: Any) -> str:
    """A qualitative page's address in the northern organisation (objects or their pks)."""
    kwargs = {key: getattr(value, "pk", value) for key, value in kwargs.items()}
    return reverse(f"qualitative:{name}", kwargs={"org": "northern", **kwargs})
