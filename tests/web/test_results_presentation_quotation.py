"""A report shown on a workspace page may hold the focus-group section's quotations: each is
laid out with its words, who said it (a label, never a name) and whether it is the exemplar."""

from __future__ import annotations

from django.template.loader import render_to_string

from imheval.reports.model import Heading, Paragraph, Quotation, Report, Section
from imheval.web.results.presentation import page_sections

QUOTES = Section(
    id="qualitative",
    title="Focus groups",
    kirkpatrick_level=None,
    blocks=(
        Heading("Feeling more confident"),
        Paragraph("Most participants said the training made them more confident."),
        Quotation("I ask about the baby now, every visit.", "PX2", exemplar=True),
        Quotation("It felt awkward at first.", "Health visitor, group 1"),
    ),
)
REPORT = Report(title="Evaluation", subtitle="", generated="2026-12-07", sections=(QUOTES,))


def test_a_reports_quotations_become_blocks_with_text_attribution_and_exemplar() -> None:
    (section,) = page_sections(REPORT)

    assert section["blocks"][2:] == [
        {
            "kind": "quotation",
            "text": "I ask about the baby now, every visit.",
            "attribution": "PX2",
            "exemplar": True,
        },
        {
            "kind": "quotation",
            "text": "It felt awkward at first.",
            "attribution": "Health visitor, group 1",
            "exemplar": False,
        },
    ]
    # after the part's heading the quotes belong to the part "Feeling more confident"
    assert [block["kind"] for block in section["parts"][0]["blocks"]] == [
        "paragraph",
        "quotation",
        "quotation",
    ]


def test_the_blocks_template_shows_each_quotation_and_marks_the_exemplar() -> None:
    (section,) = page_sections(REPORT)

    html = render_to_string(
        "results/blocks.html", {"blocks": section["blocks"], "prefix": "q", "lazy": False}
    )

    assert '<blockquote class="imheval-quote"><p>I ask about the baby now, every visit.</p>' in html
    assert 'PX2 <strong class="nhsuk-tag nhsuk-tag--green">Exemplar</strong>' in html
    assert '<figcaption class="nhsuk-body-s">Health visitor, group 1</figcaption>' in html
    assert html.count("Exemplar") == 1
