"""Which of Kirkpatrick's and Barr's levels an evaluation measured, and which it did not.

Kirkpatrick's four levels (1 reaction, 2 learning, 3 behaviour, 4 results) are refined by Barr's
adaptation for health and social care education (Barr et al. 2005; ``BARR_LEVELS`` in
:mod:`imheval.instruments.model`): 2a attitudes and perceptions, 2b knowledge and skills, 3a
self-reported and 3b observed behaviour, 4a organisational practice, 4b benefit to babies and
families. A level is measured when a domain at it has at least one score in the data; a Barr
sub-level only when a domain tagged with it does (or when another source, e.g. level 4 service
data, says so through ``also_measured``). A domain with a Kirkpatrick level but no Barr tag
measures its level without saying which sub-level: the sub-levels are then "not tagged", never
claimed as measured or as not measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from imheval.findings.wording import join_and
from imheval.instruments.model import BARR_LEVELS

#: Kirkpatrick's levels in words, as the statement names them.
KIRKPATRICK_NAMES: Mapping[int, str] = {
    1: "reaction",
    2: "learning",
    3: "behaviour",
    4: "results",
}

#: Barr's sub-levels in the words the report uses (babies and families for "clients").
BARR_NAMES: Mapping[str, str] = {
    "1": "reaction",
    "2a": "attitudes and perceptions",
    "2b": "knowledge and skills",
    "3a": "self-reported behaviour",
    "3b": "observed behaviour",
    "4a": "organisational practice",
    "4b": "benefit to babies and families",
}

#: The sub-levels of each Kirkpatrick level (level 1 has none of its own).
SUB_LEVELS: Mapping[int, tuple[str, ...]] = {
    1: (),
    2: ("2a", "2b"),
    3: ("3a", "3b"),
    4: ("4a", "4b"),
}

Status = Literal["measured", "not_measured", "not_tagged"]


@dataclass(frozen=True, slots=True)
class LevelStatus:
    """One level ("1", "2", "3", "4") or Barr sub-level ("2a" ... "4b") and whether it was
    measured.

    ``status``: "measured" (``domains`` lists the domain ids that measured it), "not_measured",
    or, for a sub-level only, "not_tagged" (its Kirkpatrick level was measured by domains with
    no Barr tag, so whether this sub-level was is not known). ``name`` is its words
    ("self-reported behaviour").
    """

    level: str
    kirkpatrick_level: int
    name: str
    status: Status
    domains: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """ "level 2 learning" for a Kirkpatrick level, "3b observed behaviour" for a sub-level."""
        if len(self.level) == 1:
            return f"level {self.level} {self.name}"
        return f"{self.level} {self.name}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "kirkpatrick_level": self.kirkpatrick_level,
            "name": self.name,
            "status": self.status,
            "domains": list(self.domains),
        }


@dataclass(frozen=True, slots=True)
class LevelsMeasured:
    """Every Kirkpatrick level and Barr sub-level, in order (1, 2, 2a, 2b, 3, 3a, 3b, 4, 4a,
    4b), with its :class:`LevelStatus`, and the plain statement of what was and was not
    measured (:attr:`statement`)."""

    levels: tuple[LevelStatus, ...]

    def status(self, level: str) -> LevelStatus:
        """The status of ``level`` ("3a"); KeyError names the levels there are."""
        for entry in self.levels:
            if entry.level == level:
                return entry
        raise KeyError(f"no level {level!r}: {[e.level for e in self.levels]}")

    @property
    def not_measured(self) -> tuple[LevelStatus, ...]:
        """What was not measured, most general first: a Kirkpatrick level none of whose
        domains had data stands for itself and its sub-levels ("level 4 results" is not
        repeated as 4a and 4b)."""
        out: list[LevelStatus] = []
        for entry in self.levels:
            if entry.status != "not_measured":
                continue
            parent = self.status(entry.level[0]) if len(entry.level) > 1 else None
            if parent is not None and parent.status == "not_measured":
                continue
            out.append(entry)
        return tuple(out)

    @property
    def measured(self) -> tuple[LevelStatus, ...]:
        """What was measured, most specific where known: a sub-level when a tagged domain
        measured it, else its Kirkpatrick level."""
        out: list[LevelStatus] = []
        for entry in self.levels:
            if entry.status != "measured":
                continue
            if len(entry.level) == 1:
                subs = [self.status(s) for s in SUB_LEVELS[entry.kirkpatrick_level]]
                # Said through its sub-levels when every domain at it is tagged.
                tagged = {d for s in subs for d in s.domains}
                if subs and set(entry.domains) <= tagged:
                    continue
            out.append(entry)
        return tuple(out)

    @property
    def not_tagged(self) -> tuple[LevelStatus, ...]:
        """Kirkpatrick levels measured by a domain with no Barr tag (sub-level unknown)."""
        return tuple(
            self.status(str(k))
            for k in (2, 3, 4)
            if any(self.status(s).status == "not_tagged" for s in SUB_LEVELS[k])
        )

    @property
    def statement(self) -> str:
        """ "Measured: level 1 reaction, 2b knowledge and skills and 3a self-reported behaviour.
        Not measured: 2a attitudes and perceptions, 3b observed behaviour and level 4 results."
        """
        parts: list[str] = []
        measured = [e.label for e in self.measured]
        parts.append(
            "Measured: " + join_and(measured) + "."
            if measured
            else "Measured: none of the levels (no domain had any answers)."
        )
        not_measured = [
            f"{e.label} ({_sub_names(e.kirkpatrick_level)})"
            if len(e.level) == 1 and SUB_LEVELS[e.kirkpatrick_level]
            else e.label
            for e in self.not_measured
        ]
        if not_measured:
            parts.append("Not measured: " + join_and(not_measured) + ".")
        untagged = self.not_tagged
        if untagged:
            parts.append(
                "The questionnaire does not say which of Barr's sub-levels its "
                + join_and([f"level {e.level} domains" for e in untagged])
                + " measure"
                + " ("
                + "; ".join(
                    " or ".join(f"{s} {BARR_NAMES[s]}" for s in SUB_LEVELS[e.kirkpatrick_level])
                    for e in untagged
                )
                + "): tag each domain's barr_level in the instrument to say."
            )
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """The JSON's ``levels`` key (docs/evaluation-json.md)."""
        return {
            "levels": [e.to_dict() for e in self.levels],
            "measured": [e.level for e in self.measured],
            "not_measured": [e.level for e in self.not_measured],
            "statement": self.statement,
        }


def _sub_names(level: int) -> str:
    return ", ".join(f"{s} {BARR_NAMES[s]}" for s in SUB_LEVELS[level])


def levels_measured(
    domains: Iterable[tuple[str, int, str | None]], also_measured: Sequence[str] = ()
) -> LevelsMeasured:
    """Which levels were measured, from the measured domains as (id, Kirkpatrick level, Barr
    level or None) and any level measured another way (``also_measured``: e.g. ("4a",) for
    service data). Unknown tags in ``also_measured`` are ignored."""
    by_level: dict[int, list[str]] = {1: [], 2: [], 3: [], 4: []}
    by_barr: dict[str, list[str]] = {tag: [] for tag in BARR_LEVELS}
    untagged: dict[int, list[str]] = {1: [], 2: [], 3: [], 4: []}
    for domain_id, level, barr in domains:
        by_level[level].append(domain_id)
        if barr in by_barr:
            by_barr[barr].append(domain_id)
        else:
            untagged[level].append(domain_id)
    extra = {tag for tag in also_measured if tag in BARR_LEVELS or tag in ("1", "2", "3", "4")}
    entries: list[LevelStatus] = []
    for level in (1, 2, 3, 4):
        key = str(level)
        own = tuple(by_level[level])
        measured = bool(own) or key in extra or any(s in extra for s in SUB_LEVELS[level])
        entries.append(
            LevelStatus(
                key,
                level,
                KIRKPATRICK_NAMES[level],
                "measured" if measured else "not_measured",
                own,
            )
        )
        for sub in SUB_LEVELS[level]:
            tagged = tuple(by_barr[sub])
            status: Status
            if tagged or sub in extra:
                status = "measured"
            elif untagged[level]:
                status = "not_tagged"
            else:
                status = "not_measured"
            entries.append(LevelStatus(sub, level, BARR_NAMES[sub], status, tagged))
    return LevelsMeasured(tuple(entries))
