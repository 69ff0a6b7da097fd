"""The outputs page attributes quotes by speaker label (PX1) or, chosen on the page, by role and
group ("Health visitor – Focus group 1", as seed 000 did; a role fewer than five speakers of
the group share reads "Participant", the small-group rule); the Word and browser section follow
the page's choice."""

from __future__ import annotations

import io
from typing import Any

import docx
import pytest
from conftest import client_as
from qual_data import FOCUS_GROUP, make_codebook, make_coder, make_coding, make_source, make_study
from qual_data import url as qual_url

pytestmark = pytest.mark.django_db

HV = "Health visitor – Focus group 1"


@pytest.fixture
def study(workspace: Any) -> Any:
    study = make_study(workspace.organisation, workspace.cohort)
    # Five health visitors (PX1, PX2, PX4 to PX6) and one midwife (PX3).
    roles = {"PX3": "Midwife"} | {f"PX{n}": "Health visitor" for n in (1, 2, 4, 5, 6)}
    text = FOCUS_GROUP + "PX4: I agree.\nPX5: So do I.\nPX6: Yes.\n"
    source = make_source(
        study, text, speakers={label: {"role": role} for label, role in roles.items()}
    )
    codes = make_codebook(study)
    coder = make_coder(study, "Analyst A")
    make_coding(source, codes["light bulb"], coder, text="A light bulb moment", exemplar=True)
    make_coding(source, codes["never time"], coder, text="We never get time to think.")
    make_coding(source, codes["readings"], coder, text="Confidence to talk to parents")
    return study


def _quotes(page: str) -> str:
    return page[page.index('id="quotes"') : page.index('id="matrix"')]


def test_quotes_are_attributed_by_speaker_label_unless_role_is_chosen(
    workspace: Any, study: Any
) -> None:
    client = client_as(workspace.users["viewer"])

    by_label = _quotes(client.get(qual_url("outputs", study=study)).content.decode())
    by_role = _quotes(
        client.get(qual_url("outputs", study=study) + "?quotes=role").content.decode()
    )

    assert "<q>A light bulb moment</q> (PX1)" in by_label
    assert "<q>We never get time to think.</q> (PX2)" in by_label
    assert "<q>Confidence to talk to parents</q> (PX3)" in by_label
    assert 'id="quotes" name="quotes" type="radio" value="speaker" checked' in by_label
    assert f"<q>A light bulb moment</q> ({HV})" in by_role
    assert f"<q>We never get time to think.</q> ({HV})" in by_role
    assert "<q>Confidence to talk to parents</q> (Participant – Focus group 1)" in by_role
    assert "Midwife" not in by_role  # one midwife in the group: her role would single her out
    assert 'id="quotes-role" name="quotes" type="radio" value="role" checked' in by_role


def test_an_unknown_choice_attributes_by_speaker_label(workspace: Any, study: Any) -> None:
    client = client_as(workspace.users["viewer"])

    page = client.get(qual_url("outputs", study=study) + "?quotes=names").content.decode()

    assert "<q>A light bulb moment</q> (PX1)" in _quotes(page)


def test_the_downloads_with_quotes_carry_the_pages_choice(workspace: Any, study: Any) -> None:
    client = client_as(workspace.users["viewer"])
    base = qual_url("outputs_export", study=study)

    page = client.get(qual_url("outputs", study=study) + "?quotes=role").content.decode()
    plain = client.get(qual_url("outputs", study=study)).content.decode()

    for query in ("file=table3&amp;format=docx", "file=section&amp;format=html"):
        assert f'href="{base}?{query}&amp;quotes=role"' in page
        assert f'href="{base}?{query}"' in plain
    assert f'href="{base}?file=matrix&amp;format=csv"' in page  # no quotes in the matrix


def _word_text(content: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


@pytest.mark.parametrize("what", ["table3", "section"])
def test_the_word_section_attributes_quotes_as_asked(workspace: Any, study: Any, what: str) -> None:
    client = client_as(workspace.users["viewer"])
    base = qual_url("outputs_export", study=study) + f"?file={what}&format=docx"

    by_role = _word_text(client.get(base + "&quotes=role").content)
    by_label = _word_text(client.get(base).content)

    assert HV in by_role
    assert "Participant – Focus group 1" in by_role
    assert HV not in by_label
    assert "PX1" in by_label


def test_the_browser_section_attributes_quotes_by_role_when_asked(
    workspace: Any, study: Any
) -> None:
    client = client_as(workspace.users["viewer"])
    base = qual_url("outputs_export", study=study) + "?file=section&format=html"

    by_role = client.get(base + "&quotes=role").content.decode()
    by_label = client.get(base).content.decode()

    assert f"<figcaption>{HV}</figcaption>" in by_role
    assert "<figcaption>PX1</figcaption>" in by_label
