"""The guides in docs/ served inside the app: one source, safe rendering, a contents list, and
links between guides (issue 12, item 1)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import client_as
from django.test import Client
from django.urls import reverse

from imheval.web import guides


def _text(response: Any) -> str:
    return " ".join(response.content.decode().split())


def test_every_guide_in_docs_is_listed_and_served(db: None) -> None:
    names = guides.guide_names()
    assert {"web", "instruments", "data-format", "methods", "deployment"} <= set(names)
    index = Client().get(reverse("guides:index")).content.decode()
    for name in names:
        assert f'href="/guides/{name}/"' in index
        response = Client().get(reverse("guides:guide", args=[name]))
        assert response.status_code == 200, name


def test_a_guide_is_rendered_from_its_file_with_a_contents_list(db: None) -> None:
    page = Client().get("/guides/web/").content.decode()
    assert '<h1 id="the-web-app">The web app</h1>' in page
    assert 'class="nhsuk-contents-list"' in page
    assert '<a class="nhsuk-contents-list__link" href="#participants-the-questionnaire">' in page
    assert '<h2 id="participants-the-questionnaire">' in page
    # A link to another guide goes to its page here, not to a file.
    assert '<a href="/guides/deployment/">deployment.md</a>' in page
    assert '<table class="nhsuk-table" tabindex="0">' in page


def test_a_decision_is_served_too(db: None) -> None:
    response = Client().get("/guides/decisions/0003-small-group-suppression/")
    assert response.status_code == 200


def test_html_in_a_guide_is_shown_as_text_never_run() -> None:
    guide = guides.render_guide(
        "x",
        "# Title\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[click](javascript:alert(1)) [other](instruments.md#writing)\n",
    )
    html = str(guide.html)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert '<a href="/guides/instruments/#writing">other</a>' in html
    assert guide.title == "Title"


@pytest.mark.parametrize(
    "name", ["no-such-guide", "../pyproject", "decisions/../../README", "WEB", "web.md"]
)
def test_a_name_that_is_not_a_guide_is_not_found(db: None, name: str) -> None:
    assert Client().get(f"/guides/{name}/").status_code == 404


def test_a_changed_file_is_shown_at_once(db: None, tmp_path: Path, settings: Any) -> None:
    settings.IMHEVAL_DOCS_DIR = str(tmp_path)
    guide = tmp_path / "example.md"
    guide.write_text("# First\n\n## Part one\n", encoding="utf-8")
    assert "First" in _text(Client().get("/guides/example/"))
    guide.write_text("# Second wording\n", encoding="utf-8")
    os.utime(guide, ns=(1, 1))
    assert "Second wording" in _text(Client().get("/guides/example/"))


def test_without_the_docs_the_guides_say_so(db: None, tmp_path: Path, settings: Any) -> None:
    settings.IMHEVAL_DOCS_DIR = str(tmp_path / "missing")
    assert "The guides are not installed on this site." in _text(Client().get("/guides/"))
    assert Client().get("/guides/web/").status_code == 404


def test_the_instruments_page_links_to_the_instruments_guide(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    page = client.get(
        reverse("workspace:instruments", kwargs={"org": workspace.organisation.slug})
    ).content.decode()
    assert '<a class="nhsuk-link" href="/guides/instruments/">instruments guide</a>' in page


def test_the_import_page_links_to_the_data_format_guide_and_every_page_to_the_guides(
    workspace: Any,
) -> None:
    client = client_as(workspace.users["evaluator"])
    page = client.get(
        reverse("paper:import_file", args=[workspace.organisation.slug, workspace.cohort.pk])
    ).content.decode()
    assert '<a href="/guides/data-format/">Read the data format guide</a>' in page
    assert "docs/data-format.md" not in page
    assert 'href="/guides/">Guides</a>' in page  # the footer of every page
