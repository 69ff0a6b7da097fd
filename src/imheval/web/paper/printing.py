"""Printable questionnaires: numbered A4 forms as one PDF, made by WeasyPrint from HTML.

Each form shows the programme, cohort and timepoint, the information and consent text, boxes for
the anonymous code (capture's recipe), numbered tick boxes for profession and directorate, and
every question with a tick box per answer, labelled with what the trainer types when keying it
in. Every page carries the form number (questionnaire id and sheet number, e.g. 12-007), so a
second keying can be paired with the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from imheval.errors import ImhevalError
from imheval.web.capture.codes import CODE_PARTS, DIRECTORATES, PROFESSIONS
from imheval.web.capture.journey import estimated_minutes, timepoint_phrase
from imheval.web.paper.answers import AnswerRule, pages_with_rules
from imheval.web.paper.models import form_label
from imheval.web.workspace.models import Collection


class PrintError(ImhevalError, RuntimeError):
    """Raised when the PDF cannot be made here (WeasyPrint or its libraries are missing)."""


@dataclass(frozen=True)
class PrintedQuestion:
    rule: AnswerRule

    @property
    def number(self) -> int:
        return self.rule.number

    @property
    def text(self) -> str:
        return self.rule.text

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        return self.rule.choices

    @property
    def printed(self) -> list[tuple[str, str]]:
        """(what to type, text) per option; a label that only repeats its code is left out."""
        return [
            (code, "" if label.strip().casefold() == code.casefold() else label)
            for code, label in self.rule.choices
        ]

    @property
    def lines(self) -> range:
        """The ruled lines printed for an open question's answer (none for other items): about
        one line per 80 characters it takes, from 3 to 8."""
        if self.rule.max_length is None:
            return range(0)
        return range(max(3, min(8, self.rule.max_length // 80)))

    @property
    def inline(self) -> bool:
        """Short answers (yes / no, or a scale) sit side by side."""
        return all(not label for _, label in self.printed) or self.rule.scale is not None


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, every unusual character escaped (safe inside <style>)."""
    plain = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-()")
    return '"' + "".join(c if c in plain else f"\\{ord(c):06x}" for c in text) + '"'


def form_context(collection: Collection) -> dict[str, Any]:
    """What the form template needs."""
    instruments = collection.instruments()
    pages = []
    count = 0
    for page, rules in pages_with_rules(instruments, collection.instrument_forms):
        count += len(rules)
        scales = {rule.scale for rule in rules}
        table = len(scales) == 1 and None not in scales
        pages.append(
            {
                "title": page.title,
                # the words above the questions, fitted to their scale, as on the phone
                "instruction": page.instruction,
                "table": table,
                "scale": rules[0].choices if table else (),
                "rules": [PrintedQuestion(rule) for rule in rules],
            }
        )
    cohort = collection.cohort
    timepoint = collection.get_timepoint_display()
    return {
        "programme": cohort.programme,
        "cohort": cohort,
        "timepoint": timepoint,
        "footer": mark_safe(css_string(f"Cohort {cohort.name}, {timepoint.lower()}")),
        "when": timepoint_phrase(collection),
        "question_count": count,
        "minutes": estimated_minutes(count),
        "code_parts": [
            {"label": part.label, "hint": part.hint, "cells": range(part.length)}
            for part in CODE_PARTS
        ],
        "professions": PROFESSIONS,
        "directorates": DIRECTORATES,
        "pages": pages,
    }


def form_html(collection: Collection) -> str:
    return render_to_string("paper/form_pdf.html", form_context(collection))


def form_pdf(collection: Collection, first: int, copies: int) -> bytes:
    """``copies`` forms numbered from ``first``, as one PDF (each form starts on a new page).

    WeasyPrint lays out the form once (the slow part); every copy shares those pages, each with
    its number stamped in a box at the top right of every page, so 100 forms take about as long
    as one. Raises PrintError if WeasyPrint cannot be loaded, and ImhevalError if the
    questionnaire's instruments cannot be resolved.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as error:
        raise PrintError(f"PDF forms cannot be made on this server ({error})") from error
    labels = [form_label(collection.pk, number) for number in range(first, first + copies)]
    document = HTML(string=form_html(collection)).render()
    pdf: bytes = document.write_pdf(finisher=_NumberStamper(labels))
    return pdf


_MM = 72 / 25.4
#: The number box: this far from the page's top and right edges, this wide and high (mm).
_BOX_TOP, _BOX_RIGHT, _BOX_WIDTH, _BOX_HEIGHT = 6.0, 15.0, 34.0, 13.0
_FONT, _BOLD = "ImhevalStamp", "ImhevalStampBold"


class _NumberStamper:
    """A WeasyPrint finisher: repeats the laid-out pages once per form, each with its number.

    Every copy's page shares the laid-out page's content and resources; a small content stream
    drawn first (in PDF's own coordinates, before WeasyPrint's) adds the boxed number. The
    number is plain ASCII in a standard PDF font, so nothing needs embedding and text
    extraction finds it.
    """

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels

    def __call__(self, document: Any, pdf: Any) -> None:
        import pydyf  # WeasyPrint's PDF writer

        originals = [pdf.objects[number] for number in pdf.pages["Kids"][::3]]
        contents = [page["Contents"] for page in originals]
        self._add_fonts(pdf, originals[0])
        kids: list[Any] = []
        for copy, label in enumerate(self.labels):
            for original, content in zip(originals, contents, strict=True):
                page = original if copy == 0 else pydyf.Dictionary(dict(original))
                stamp = pydyf.Stream(self._stamp(label, original["MediaBox"]), compress=True)
                pdf.add_object(stamp)
                page["Contents"] = pydyf.Array([stamp.reference, content])
                if copy:
                    pdf.add_object(page)
                kids.extend([page.number, 0, "R"])
        pdf.pages["Kids"] = pydyf.Array(kids)
        pdf.pages["Count"] = len(kids) // 3

    @staticmethod
    def _add_fonts(pdf: Any, page: Any) -> None:
        import pydyf  # WeasyPrint's PDF writer

        resources = page["Resources"]
        if isinstance(resources, bytes):
            resources = pdf.objects[int(resources.split()[0])]
        fonts = resources.get("Font")
        if isinstance(fonts, bytes):
            fonts = pdf.objects[int(fonts.split()[0])]
        elif fonts is None:
            fonts = resources["Font"] = pydyf.Dictionary({})
        for name, base in ((_FONT, "/Helvetica"), (_BOLD, "/Helvetica-Bold")):
            fonts[name] = pydyf.Dictionary(
                {
                    "Type": "/Font",
                    "Subtype": "/Type1",
                    "BaseFont": base,
                    "Encoding": "/WinAnsiEncoding",
                }
            )

    @staticmethod
    def _stamp(label: str, media_box: list[float]) -> list[bytes]:
        right, top = float(media_box[2]), float(media_box[3])
        x = right - (_BOX_RIGHT + _BOX_WIDTH) * _MM
        y = top - (_BOX_TOP + _BOX_HEIGHT) * _MM
        width, height = _BOX_WIDTH * _MM, _BOX_HEIGHT * _MM
        text = label.encode("ascii")
        return [
            b"q 0 g 0 G 1.2 w",
            f"{x:.2f} {y:.2f} {width:.2f} {height:.2f} re S".encode(),
            f"BT /{_FONT} 7 Tf {x + 2.5 * _MM:.2f} {y + height - 4 * _MM:.2f} Td".encode()
            + b" (Form number) Tj ET",
            f"BT /{_BOLD} 15 Tf {x + 2.5 * _MM:.2f} {y + 2.4 * _MM:.2f} Td (".encode()
            + text
            + b") Tj ET",
            b"Q",
        ]
