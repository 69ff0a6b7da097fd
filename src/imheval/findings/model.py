"""A finding: one plain-English statement about the results, kept as data.

The words are written once, where the figures are chosen (:mod:`imheval.evaluation.findings`
for a pre/post evaluation). Whoever shows a finding picks it by :attr:`Finding.kind` and
:attr:`Finding.comparison`, reads the numbers it cites from :attr:`Finding.figures`, and shows
:attr:`Finding.plain` with :attr:`Finding.statistics` beside it (the report) or
:attr:`Finding.text` (the terminal, the JSON). Nothing reads a sentence back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: A number a finding cites (full precision), or a word it names (a group, "before").
FigureValue = float | int | str | None


@dataclass(frozen=True, slots=True)
class Stats:
    """The statistics behind part of a sentence, e.g. ``t(58) = 8.10, p < .001``.

    In :attr:`Finding.text` they sit in brackets after the words they support, or, with
    ``trailing``, after a comma at the end of the sentence; :attr:`Finding.plain` leaves them
    out and :attr:`Finding.statistics` gathers them.
    """

    text: str
    trailing: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    """One statement about one domain (or the whole evaluation when ``domain`` is "").

    ``kind`` says what the statement is about (the names are listed in
    :mod:`imheval.evaluation.findings`); ``comparison`` the comparison it reports
    ("pre_post", "gain_by_profession", "pre_followup" ...; "" when none); ``people`` how many
    people it is about, when it is about a set of them; ``figures`` the numbers and names it
    cites, by name.
    """

    kind: str
    domain: str
    text: str
    plain: str
    statistics: str = ""
    comparison: str = ""
    people: int | None = None
    figures: Mapping[str, FigureValue] = field(default_factory=lambda: MappingProxyType({}))

    def figure(self, name: str) -> FigureValue:
        """The figure called ``name``; KeyError names the figures there are."""
        try:
            return self.figures[name]
        except KeyError:
            known = sorted(self.figures)
            raise KeyError(f"{self.kind} finding has no figure {name!r}: {known}") from None

    def to_dict(self) -> dict[str, Any]:
        """The finding for the JSON document: its kind, words, statistics and figures."""
        return {
            "kind": self.kind,
            "comparison": self.comparison,
            "people": self.people,
            "text": self.text,
            "plain": self.plain,
            "statistics": self.statistics,
            "figures": dict(self.figures),
        }


def finding(
    kind: str,
    domain: str,
    *parts: str | Stats,
    comparison: str = "",
    people: int | None = None,
    figures: Mapping[str, FigureValue] | None = None,
) -> Finding:
    """A :class:`Finding` from the pieces of its sentence: words and :class:`Stats`.

    >>> f = finding("x", "k", "Scores rose", Stats("t(4) = 2.90, p = .044"), ".")
    >>> f.text, f.plain, f.statistics
    ('Scores rose (t(4) = 2.90, p = .044).', 'Scores rose.', 't(4) = 2.90, p = .044')
    """
    text: list[str] = []
    plain: list[str] = []
    statistics: list[str] = []
    for part in parts:
        if isinstance(part, Stats):
            text.append(f", {part.text}" if part.trailing else f" ({part.text})")
            statistics.append(part.text)
        else:
            text.append(part)
            plain.append(part)
    return Finding(
        kind=kind,
        domain=domain,
        text="".join(text),
        plain="".join(plain),
        statistics="; ".join(statistics),
        comparison=comparison,
        people=people,
        figures=MappingProxyType(dict(figures or {})),
    )
