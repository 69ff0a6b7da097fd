"""The database work of the questionnaire: queries per page, pinned, and what caching must keep.

Each participant request reads the session and then, in one query, the collection (open or
closed, from the database every time) with the session's submission; the question pages are
built once per process. The upper bounds below are today's counts: a change that adds queries
to a participant page fails here (``benchmarks/bench_capture_cpu.py`` measures the CPU time).
Savepoints are left out of the counts: they come from the test's own transaction, and in
production the same blocks are plain transactions.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from test_capture_journey import PAGE_ANSWERS, Participant, text

from imheval.web.capture import journey
from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.workspace.models import Cohort, Collection, InstrumentFile

#: (method, step, most queries) for one whole journey with the question pages already built.
JOURNEY_BOUNDS: list[tuple[str, str, int]] = [
    ("get", "start", 1),  # collection
    # collection, the link's recent starts (the throttle), new draft, new session (a check
    # and an insert)
    ("post", "start", 5),
    ("get", "code", 2),  # session, collection with draft
    ("post", "code", 3),  # + saving the draft (no look-up by code: it would tell it exists)
    ("get", "about_you", 2),
    ("post", "about_you", 3),  # + saving the draft
    ("get", "questions/1", 2),
    ("post", "questions/1", 3),  # session, draft locked with its collection, saving it
    ("get", "questions/2", 2),
    ("post", "questions/2", 3),
    ("get", "questions/3", 2),
    ("post", "questions/3", 3),
    ("get", "check", 2),
    ("post", "check", 5),  # session, draft locked, completing it, audit event, session
    ("get", "thanks", 2),
]

#: Uploaded instruments are read again on every page that shows questions (a changed file is
#: used at once), and once more when their pages are first built in this process.
UPLOAD_EXTRA = 1


@pytest.fixture(autouse=True)
def _fresh_page_cache() -> Iterator[None]:
    """Each test starts with no question pages built, as a new server process does."""
    journey._PAGES.clear()
    journey._SHADOWED.clear()
    yield
    journey._PAGES.clear()
    journey._SHADOWED.clear()


def _counted(captured: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _send(
    person: Participant, method: str, step: str, data: dict[str, str]
) -> tuple[Any, list[str]]:
    name, _, number = step.partition("/")
    url = person.url(name, int(number)) if number else person.url(name)
    with CaptureQueriesContext(connection) as captured:
        response = person.client.get(url) if method == "get" else person.client.post(url, data)
    return response, _counted(captured)


def _form(step: str, code: tuple[str, str, str]) -> dict[str, str]:
    if step == "start":
        return {"consent": "yes"}
    if step == "code":
        mother, day, town = code
        return {"mother": mother, "day": day, "town": town, "confirm": mother + day + town}
    if step == "about_you":
        return {"profession": "Health visitor", "directorate": "Children's Services"}
    if step.startswith("questions/"):
        return PAGE_ANSWERS[int(step.partition("/")[2]) - 1]
    return {}


def _walk(
    person: Participant, code: tuple[str, str, str], extra: dict[str, int] | None = None
) -> dict[str, int]:
    """One whole journey; fails on the first request over its bound. Returns the counts."""
    counts = {}
    for method, step, bound in JOURNEY_BOUNDS:
        response, queries = _send(person, method, step, _form(step, code))
        assert response.status_code == (200 if method == "get" else 302), (method, step)
        most = bound + (extra or {}).get(f"{method} {step}", 0)
        listing = "\n".join(queries)
        assert len(queries) <= most, f"{method.upper()} {step}: {len(queries)} > {most}\n{listing}"
        counts[f"{method} {step}"] = len(queries)
    return counts


def test_a_whole_journey_stays_within_its_queries(workspace: Any) -> None:
    first, queries = _send(Participant(workspace.pre), "get", "start", {})
    # The first page in a process also builds the question pages: the organisation's uploads
    # and the organisation are read once.
    assert first.status_code == 200
    assert len(queries) <= JOURNEY_BOUNDS[0][2] + 2, "\n".join(queries)
    counts = _walk(Participant(workspace.pre), ("MA", "07", "BE"))
    assert sum(counts.values()) <= sum(bound for _, _, bound in JOURNEY_BOUNDS) == 40
    submission = Submission.objects.get()
    assert submission.status == "complete" and submission.code == "MA07BE"
    assert submission.answers == {k: v for page in PAGE_ANSWERS for k, v in page.items()}


def test_a_returning_participant_walks_the_same_steps_within_the_same_bounds(
    workspace: Any,
) -> None:
    """At post-test a code used at pre-test is asked about its work again, like any code."""
    Participant(workspace.pre).complete()
    workspace.post.open()
    _walk(Participant(workspace.post), ("MA", "07", "BE"))
    post = Submission.objects.get(collection=workspace.post)
    assert post.status == "complete"
    assert (post.profession, post.directorate) == ("Health visitor", "Children's Services")


# --------------------------------------------------------------------- uploaded instruments

UPLOADED = """\
format: imheval-instrument/1
id: trust-reflection
version: "1"
title: Trust reflection questions
levels: [beginner]
domains:
  - id: reflection
    label: Reflection
items:
  - id: T1
    domain: reflection
    text: {question}
    options: {{a: With a parent or carer, b: With a sibling}}
    key: a
"""


def _uploaded_collection(workspace: Any, question: str) -> tuple[Collection, InstrumentFile]:
    file = InstrumentFile.from_upload(
        workspace.organisation, "trust.yaml", UPLOADED.format(question=question)
    )
    file.save()
    cohort = Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2026, 12, 1)
    )
    collection = Collection.objects.create(
        cohort=cohort,
        timepoint="pre",
        instrument_refs=["trust-reflection", "imh-core"],
        instrument_versions={"imh-core": "1.0.0"},  # PAGE_ANSWERS are 1.0.0's
    )
    collection.open()
    return collection, file


def _ready(person: Participant) -> None:
    assert person.consent().status_code == 302
    assert person.make_code().status_code == 302
    assert person.about_you().status_code == 302


def test_an_uploaded_instrument_is_read_once_more_per_page(workspace: Any) -> None:
    collection, _ = _uploaded_collection(workspace, "What is a baby's first relationship?")
    _ready(Participant(collection))  # builds the pages, as an earlier participant would
    person = Participant(collection)
    _ready(person)
    # The upload's page comes first, then imh-core's three.
    for number, answers in enumerate([{"T1": "a"}, *PAGE_ANSWERS], start=1):
        response, queries = _send(person, "get", f"questions/{number}", {})
        assert response.status_code == 200
        bound = (3 if number == 1 else 2) + UPLOAD_EXTRA
        assert len(queries) <= bound, "\n".join(queries)
        response, queries = _send(person, "post", f"questions/{number}", answers)
        assert response.status_code == 302
        assert len(queries) <= 3 + UPLOAD_EXTRA, "\n".join(queries)
    response, queries = _send(person, "post", "check", {})
    assert response.url == person.url("thanks")
    assert len(queries) <= 5 + UPLOAD_EXTRA, "\n".join(queries)
    submission = Submission.objects.get(collection=collection, code="MA07BE", status="complete")
    assert submission.answers["T1"] == "a" and submission.answers["S6"] == "1"


def test_a_changed_upload_is_shown_at_once(workspace: Any) -> None:
    collection, file = _uploaded_collection(workspace, "What is a baby's first relationship?")
    person = Participant(collection)
    _ready(person)
    first = text(person.client.get(person.url("questions", 1)))
    assert "What is a baby&#x27;s first relationship?" in first
    file.text = UPLOADED.format(question="Who does a baby first bond with?")
    file.save()
    page = text(person.client.get(person.url("questions", 1)))
    assert "Who does a baby first bond with?" in page
    assert "first relationship" not in page


def test_a_changed_instrument_list_is_shown_at_once(workspace: Any) -> None:
    person = Participant(workspace.pre)
    _ready(person)
    assert "Page 1 of 3" in text(person.client.get(person.url("questions", 1)))
    _uploaded_collection(workspace, "What is a baby's first relationship?")
    workspace.pre.instrument_refs = ["trust-reflection"]
    workspace.pre.save()
    page = text(person.client.get(person.url("questions", 1)))
    assert "Page 1 of 1" in page and "first relationship?" in page


def test_an_upload_with_a_built_in_id_comes_first_as_everywhere_else(workspace: Any) -> None:
    """The upload form and the admin refuse it; one saved some other way is still used."""
    shadow = InstrumentFile(
        organisation=workspace.organisation,
        instrument_id="imh-core",
        title="Our own core",
        source_name="core.yaml",
        text=UPLOADED.format(question="Our own first question?").replace(
            "id: trust-reflection", "id: imh-core"
        ),
    )
    with pytest.raises(ValidationError):
        shadow.full_clean()
    shadow.save()
    person = Participant(workspace.pre)
    _ready(person)
    page = text(person.client.get(person.url("questions", 1)))
    assert "Our own first question?" in page and "Page 1 of 1" in page
    assert [item.text for item in workspace.pre.instruments()[0].items] == [
        "Our own first question?"
    ]
    # Another organisation's collection of the built-in instrument is not affected.
    other = Participant(workspace.other_collection)
    _ready(other)
    assert "Page 1 of 3" in text(other.client.get(other.url("questions", 1)))


# ------------------------------------------------------------------ what must not change


def test_the_completion_audit_names_fields_only_and_the_owner(workspace: Any) -> None:
    person = Participant(workspace.pre)
    person.complete()
    event = AuditEvent.objects.get(object_type="submission")
    submission = Submission.objects.get()
    assert event.organisation_id == workspace.organisation.pk
    assert event.action == "created"
    assert event.object_label == str(Submission.objects.get(pk=submission.pk))
    assert event.changes == {
        field: "changed"
        for field in ("code", "profession", "directorate", "answers", "status", "source")
    }


def test_a_draft_key_of_another_collection_is_not_found_here(workspace: Any) -> None:
    """The session's key is looked up with the link's token: another link's draft never loads."""
    theirs = Participant(workspace.other_collection)
    theirs.consent()
    other_key = str(Submission.objects.get(collection=workspace.other_collection).key)
    person = Participant(workspace.pre)
    session = person.client.session
    session[journey.session_key(workspace.pre.token)] = other_key
    session.save()
    assert person.client.get(person.url("code")).url == person.url("start")
    assert person.client.post(person.url("check")).url == person.url("start")
    assert Submission.objects.get(key=other_key).status == "draft"


def test_closing_takes_effect_at_once_with_the_pages_already_built(workspace: Any) -> None:
    person = Participant(workspace.pre)
    person.consent()
    person.make_code()
    person.about_you()
    for number, answers in enumerate(PAGE_ANSWERS, start=1):
        person.answer_page(number, answers)
    assert person.client.get(person.url("check")).status_code == 200
    Collection.objects.filter(pk=workspace.pre.pk).update(is_open=False)  # another process
    assert person.client.get(person.url("questions", 1)).status_code == 410
    assert person.submit().status_code == 410
    assert Submission.objects.get().status == "draft"
