"""A questionnaire's preview: the participant's own pages, in a phone frame, for any member, and
nothing answered is ever stored or counted (issue 12, item 1)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from conftest import client_as
from django.contrib.sessions.models import Session
from django.urls import reverse

from imheval.web.capture import journey
from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.results.counts import live_counts
from imheval.web.workspace.models import Collection


def _frame_url(workspace: Any, collection: Collection) -> str:
    return reverse(
        "preview:collection",
        kwargs={"org": workspace.organisation.slug, "collection": collection.pk},
    )


def _counts(workspace: Any) -> tuple[Any, ...]:
    """The cohort's live counts, without the time they were read."""
    counts = live_counts(workspace.cohort)
    return counts.timepoints, counts.matched, counts.repeated_codes


def _iframe_src(page: str) -> str:
    match = re.search(r'<iframe class="imheval-phone-preview" src="([^"]+)"', page)
    assert match is not None, page
    return match.group(1).replace("&amp;", "&")


def _text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def _walk(client: Any, start: str, collection: Collection | None) -> list[str]:
    """Through every page as a participant would; returns each page's text in order."""
    seen = []
    response = client.get(start)
    assert response.status_code == 200
    seen.append(_text(response))
    response = client.post(start, {"consent": "yes"})
    code_url = response["Location"]
    assert "/code/" in code_url
    seen.append(_text(client.get(code_url)))
    code = {"mother": "MA", "day": "07", "town": "BE", "confirm": "MA07BE"}
    response = client.post(code_url, code)
    about_url = response["Location"]
    seen.append(_text(client.get(about_url)))
    response = client.post(
        about_url, {"profession": "Health visitor", "directorate": "Children's Services"}
    )
    next_url = response["Location"]
    pages = journey.collection_pages(collection) if collection is not None else None
    while "/questions/" in next_url:
        page = client.get(next_url)
        assert page.status_code == 200
        seen.append(_text(page))
        form = page.content.decode()
        first_radio = re.search(r'name="([^"]+)" type="radio" value="([^"]+)"', form)
        assert first_radio is not None
        response = client.post(next_url, {first_radio.group(1): first_radio.group(2)})
        next_url = response["Location"]
    assert "/check/" in next_url
    seen.append(_text(client.get(next_url)))
    response = client.post(next_url)
    thanks_url = response["Location"]
    assert "/thank-you/" in thanks_url
    seen.append(_text(client.get(thanks_url)))
    if pages is not None:
        assert len(seen) == 5 + len(pages)
    return seen


@pytest.mark.parametrize("role", ["viewer", "trainer", "evaluator", "admin"])
def test_any_member_previews_every_page_and_nothing_is_stored_or_counted(
    workspace: Any, role: str
) -> None:
    client = client_as(workspace.users[role])
    frame = client.get(_frame_url(workspace, workspace.pre))
    assert frame.status_code == 200
    page = frame.content.decode()
    assert 'width="360" height="740"' in page
    assert "Nothing you choose or type here is kept or counted" in page
    before = (
        Submission.objects.count(),
        Session.objects.count(),
        AuditEvent.objects.count(),
        _counts(workspace),
    )
    seen = _walk(client, _iframe_src(page), workspace.pre)
    assert "Questionnaire before the training" in seen[0]
    assert "Solihull Approach foundation" in seen[0]
    assert "Your anonymous code" in seen[1]
    assert "About your work" in seen[2]
    assert "Page 1 of" in seen[3]
    check_page = seen[-2]
    assert "MA07BE" in check_page and "Health visitor" in check_page
    assert "1 of" in check_page  # one answer given on each page is shown as given
    assert "Your answers have been saved." in seen[-1]
    after = (
        Submission.objects.count(),
        Session.objects.count(),
        AuditEvent.objects.count(),
        _counts(workspace),
    )
    assert after == before


def test_the_preview_links_stay_in_the_preview(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    src = _iframe_src(client.get(_frame_url(workspace, workspace.pre)).content.decode())
    page = client.get(src).content.decode()
    token = workspace.pre.token
    assert f"/q/{token}" not in page
    assert re.search(r'href="/preview/[^"]+/no-thank-you/"', page)
    declined = client.get(re.search(r'href="(/preview/[^"]+/no-thank-you/)"', page).group(1))
    assert declined.status_code == 200
    assert "You have chosen not to take part" in _text(declined)


def test_a_closed_and_a_never_opened_questionnaire_can_be_previewed(workspace: Any) -> None:
    client = client_as(workspace.users["trainer"])
    workspace.post.open()
    workspace.post.close()  # opened, then closed
    for collection in (workspace.post, workspace.followup):  # followup: never opened
        collection.refresh_from_db()
        src = _iframe_src(client.get(_frame_url(workspace, collection)).content.decode())
        seen = _walk(client, src, collection)
        assert "closed" not in seen[0] and "not open yet" not in seen[0]
        assert "Make the same code you made before the training" in seen[1]
    assert (
        "12 weeks after the training"
        in _walk(
            client,
            _iframe_src(client.get(_frame_url(workspace, workspace.followup)).content.decode()),
            workspace.followup,
        )[0]
    )
    assert Submission.objects.count() == 0


def test_an_instrument_no_cohort_uses_can_be_previewed(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    listing = client.get(
        reverse("workspace:instruments", kwargs={"org": workspace.organisation.slug})
    ).content.decode()
    url = reverse(
        "preview:instrument",
        kwargs={"org": workspace.organisation.slug, "instrument_id": "imh-core"},
    )
    assert f'href="{url}"' in listing
    frame = client.get(url)
    assert frame.status_code == 200
    seen = _walk(client, _iframe_src(frame.content.decode()), None)
    assert "Your programme" in seen[0]
    assert "Your answers have been saved." in seen[-1]
    assert Submission.objects.count() == 0
    missing = reverse(
        "preview:instrument", kwargs={"org": workspace.organisation.slug, "instrument_id": "nope"}
    )
    assert client.get(missing).status_code == 404


def test_another_organisation_gets_404_for_the_frame_and_the_pages(workspace: Any) -> None:
    member = client_as(workspace.users["viewer"])
    src = _iframe_src(member.get(_frame_url(workspace, workspace.pre)).content.decode())
    outsider = client_as(workspace.outsider)
    assert outsider.get(_frame_url(workspace, workspace.pre)).status_code == 404
    assert outsider.get(src).status_code == 404
    assert outsider.post(src, {"consent": "yes"}).status_code == 404
    assert client_as().get(src).status_code == 404
    # A member of Northern cannot preview Southern's questionnaire by its id either.
    other = reverse(
        "preview:collection",
        kwargs={"org": workspace.organisation.slug, "collection": workspace.other_collection.pk},
    )
    assert member.get(other).status_code == 404


def test_a_changed_token_is_not_found(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    src = _iframe_src(client.get(_frame_url(workspace, workspace.pre)).content.decode())
    token = src.split("/")[2]
    assert client.get(src.replace(token, token[:-2] + "xx")).status_code == 404


def test_the_pages_may_be_framed_by_the_site_only(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    frame = client.get(_frame_url(workspace, workspace.pre))
    assert "frame-ancestors 'none'" in frame["Content-Security-Policy"]
    inner = client.get(_iframe_src(frame.content.decode()))
    assert inner["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in inner["Content-Security-Policy"]
    assert "no-cache" in inner["Cache-Control"] or "max-age=0" in inner["Cache-Control"]


def test_the_link_page_offers_the_preview(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    page = client.get(
        reverse(
            "workspace:collection_link",
            kwargs={"org": workspace.organisation.slug, "collection": workspace.pre.pk},
        )
    ).content.decode()
    assert f'href="{_frame_url(workspace, workspace.pre)}"' in page


def test_an_empty_preview_asks_once_like_the_live_page(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    src = _iframe_src(client.get(_frame_url(workspace, workspace.pre)).content.decode())
    code_url = client.post(src, {"consent": "yes"})["Location"]
    about_url = client.post(
        code_url, {"mother": "MA", "day": "07", "town": "BE", "confirm": "MA07BE"}
    )["Location"]
    first = client.post(
        about_url, {"profession": "Health visitor", "directorate": "Children's Services"}
    )["Location"]
    check_url = first.split("/questions/")[0] + "/check/"
    asked = client.post(check_url)
    assert asked.status_code == 200
    assert "You have not answered any questions" in _text(asked)
    thanks = client.post(check_url, {"empty": "yes"})
    assert "Your questionnaire was sent with no answers." in _text(client.get(thanks["Location"]))
    assert Submission.objects.count() == 0


# ---------------------------------------------- the instrument page: locked before anyone edits


def _instrument_page(workspace: Any, instrument_id: str = "imh-core") -> str:
    client = client_as(workspace.users["evaluator"])
    url = reverse(
        "workspace:instrument_builtin",
        kwargs={"org": workspace.organisation.slug, "instrument_id": instrument_id},
    )
    return _text(client.get(url))


def test_an_instrument_being_answered_says_it_is_locked_and_by_which_cohorts(
    workspace: Any,
) -> None:
    assert 'id="instrument-locked"' not in _instrument_page(workspace)
    Submission.objects.create(collection=workspace.pre, status="draft")
    Submission.objects.create(collection=workspace.other_collection, status="complete")
    page = _instrument_page(workspace)
    assert 'id="instrument-locked"' in page
    assert "people have started answering it in" in page
    assert ">Solihull Approach foundation: SOL-1</a>." in page
    assert "make a new version" in page
    assert 'href="/guides/instruments/#versioning"' in page
    # Southern's cohort answers imh-core too, but is never named to Northern.
    assert "TF-9" not in page and "Think Family" not in page
    # An instrument nobody is answering shows no notice.
    assert 'id="instrument-locked"' not in _instrument_page(workspace, "imh-reaction")
