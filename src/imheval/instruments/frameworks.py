"""Competency frameworks that instrument items and network-group readings are mapped to.

Built in, only the frameworks' domain names are shipped: the AIMH UK Infant Mental Health
Competency Framework's seven domains (pregnancy to age 2, 2019), the eight domain names of the
MI-AIMH Competency Guidelines®, whose detailed competencies are licensed and must not be
redistributed, and the six dimensions of infant mental health service (Weatherston 2002, seed
002's Table 1), a second axis for tagging readings and case discussions. An item names domains
by id in its ``competencies``; the instrument names the framework in its ``framework`` field
(one of :data:`FRAMEWORKS`). See docs/instruments.md, "Competencies".

An organisation can bring its own framework, with competencies under each domain, as YAML
(:func:`load_framework_yaml`, format in docs/instruments.md) or as Moodle's competency
framework CSV export (:func:`load_moodle_competency_csv`). A reading names what it covers by
reference, ``"<framework>:<domain>"`` or ``"<framework>:<domain>:<competency>"``
(:func:`reference`, :func:`resolve`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import yaml

from imheval.errors import Problem, ProblemsError

#: The format line a framework YAML file may start with.
FRAMEWORK_FORMAT: Final = "imheval-framework/1"


class FrameworkError(ProblemsError, ValueError):
    """Raised when a competency framework file cannot be read or is not valid (nothing is
    imported); each problem names the file and the row and column, or the field."""


@dataclass(frozen=True, slots=True)
class Competency:
    """One competency within a domain: an id for files and a label for people."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class CompetencyDomain:
    """One domain of a framework: an id for files, a label for people, and (for a framework
    an organisation imported) the competencies it holds."""

    id: str
    label: str
    competencies: tuple[Competency, ...] = ()

    def competency(self, competency_id: str) -> Competency | None:
        """The competency of this domain with that id, or None."""
        return next((c for c in self.competencies if c.id == competency_id), None)


@dataclass(frozen=True, slots=True)
class CompetencyFramework:
    """A competency framework, by its domains."""

    id: str
    title: str
    source: str
    domains: tuple[CompetencyDomain, ...]

    @property
    def domain_ids(self) -> tuple[str, ...]:
        return tuple(domain.id for domain in self.domains)

    def label(self, domain_id: str) -> str:
        """The label of one domain (its id when the framework has no such domain)."""
        return next((d.label for d in self.domains if d.id == domain_id), domain_id)

    def domain(self, domain_id: str) -> CompetencyDomain | None:
        """The domain with that id, or None."""
        return next((d for d in self.domains if d.id == domain_id), None)


AIMH_UK = CompetencyFramework(
    id="aimh-uk-imhcf",
    title="AIMH UK Infant Mental Health Competency Framework",
    source="Association for Infant Mental Health UK (2019), pregnancy to age 2: 63 "
    "competencies in 7 domains, at 3 levels",
    domains=(
        CompetencyDomain("relationship_based_practice", "Relationship-based practice"),
        CompetencyDomain("development", "Normal and atypical development"),
        CompetencyDomain("influences_on_caregiving", "Factors that influence caregiving"),
        CompetencyDomain("assessing_caregiving", "Assessment of caregiving"),
        CompetencyDomain("supporting_caregiving", "Supporting caregiving"),
        CompetencyDomain("reflective_practice", "Reflective practice and supervision"),
        CompetencyDomain(
            "legal_professional_frameworks",
            "Working within relevant legal and professional frameworks",
        ),
    ),
)

MI_AIMH = CompetencyFramework(
    id="mi-aimh",
    title="MI-AIMH Competency Guidelines® (domain names only)",
    source="Michigan Association for Infant Mental Health; the detailed competencies are "
    "licensed: an organisation with a licence maps to these domain names",
    domains=(
        CompetencyDomain("theoretical_foundations", "Theoretical foundations"),
        CompetencyDomain("law_regulation_policy", "Law, regulation and agency policy"),
        CompetencyDomain("systems_expertise", "Systems expertise"),
        CompetencyDomain("direct_service_skills", "Direct service skills"),
        CompetencyDomain("working_with_others", "Working with others"),
        CompetencyDomain("communicating", "Communicating"),
        CompetencyDomain("thinking", "Thinking"),
        CompetencyDomain("reflection", "Reflection"),
    ),
)

IMH_SERVICE = CompetencyFramework(
    id="imh-service-dimensions",
    title="Dimensions of infant mental health service",
    source="Weatherston (2002), as summarised in Table 1 of the North Cork perinatal infant "
    "mental health network group's evaluation: the levels at which an IMH practitioner can "
    "support families",
    domains=(
        CompetencyDomain("concrete_assistance", "Concrete assistance"),
        CompetencyDomain("emotional_support", "Emotional support"),
        CompetencyDomain("developmental_guidance", "Developmental guidance"),
        CompetencyDomain(
            "early_relationship_assessment_support", "Early relationship assessment and support"
        ),
        CompetencyDomain("advocacy", "Advocacy"),
        CompetencyDomain("infant_parent_psychotherapy", "Infant-parent psychotherapy"),
    ),
)

#: The frameworks an instrument may name, by id (the competency frameworks proper).
FRAMEWORKS: dict[str, CompetencyFramework] = {f.id: f for f in (AIMH_UK, MI_AIMH)}

#: Every built-in framework, by id: readings may be tagged with any of these, including the
#: dimensions of IMH service, which describe services rather than a practitioner's knowledge.
BUILT_IN: dict[str, CompetencyFramework] = {f.id: f for f in (AIMH_UK, MI_AIMH, IMH_SERVICE)}


# --- References from readings -------------------------------------------------------------


def reference(framework: CompetencyFramework, domain_id: str, competency_id: str = "") -> str:
    """The reference a reading stores: ``"<framework>:<domain>"`` or with ``":<competency>"``."""
    parts = (framework.id, domain_id, competency_id) if competency_id else (framework.id, domain_id)
    return ":".join(parts)


def resolve(framework: CompetencyFramework, ref: str) -> CompetencyDomain | None:
    """The domain of ``framework`` a reference touches, or None.

    ``ref`` is ``"<framework>:<domain>"`` or ``"<framework>:<domain>:<competency>"``. None when
    it names another framework, a domain this one lacks, a competency its domain lacks, or is
    not a reference at all, so a reading tagged against one framework simply does not count in
    another's coverage grid.

    Examples:
        >>> resolve(AIMH_UK, "aimh-uk-imhcf:development").label
        'Normal and atypical development'
        >>> resolve(AIMH_UK, "mi-aimh:thinking") is None
        True
    """
    parts = ref.strip().split(":")
    if len(parts) not in (2, 3) or parts[0] != framework.id:
        return None
    domain = framework.domain(parts[1])
    if domain is None or (len(parts) == 3 and domain.competency(parts[2]) is None):
        return None
    return domain


# --- Reading an organisation's framework ----------------------------------------------------


def load_framework(text: str, source_name: str, source_format: str) -> CompetencyFramework:
    """Read a framework from text in ``source_format`` ("yaml" or "moodle-csv")."""
    if source_format == "yaml":
        return load_framework_yaml(text, source_name)
    if source_format == "moodle-csv":
        return load_moodle_competency_csv(text, source_name)
    raise FrameworkError(
        [
            Problem(
                source_name, f"'{source_format}' is not a framework format: use yaml or moodle-csv"
            )
        ]
    )


def _check_id(value: str) -> str | None:
    """Why a framework, domain or competency id cannot be used, or None."""
    if ":" in value:
        return f"'{value}' contains ':', which separates the parts of a reference; remove it"
    return None


_FRAMEWORK_KEYS = ("format", "id", "title", "source", "domains")
_DOMAIN_KEYS = ("id", "label", "competencies")
_COMPETENCY_KEYS = ("id", "label")


class _Yaml:
    """Walks a composed YAML document, collecting problems with field paths and line numbers."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | None, field: str, message: str) -> None:
        where = f" (line {node.start_mark.line + 1})" if node is not None else ""
        self.problems.append(Problem(self.source, message + where, field=field or None))

    def mapping(
        self, node: yaml.Node, field: str, allowed: Sequence[str]
    ) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, field, "should be a set of 'name: value' lines")
            return None
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in found:
                self.problem(key_node, f"{field}.{key}" if field else key, "is given twice")
            elif key not in allowed:
                self.problem(
                    key_node,
                    f"{field}.{key}" if field else key,
                    f"is not a field here; the fields are {', '.join(allowed)}",
                )
            else:
                found[key] = value_node
        return found

    def text(
        self, fields: dict[str, yaml.Node], key: str, field: str, parent: yaml.Node
    ) -> str | None:
        """A required text field, stripped; None (with a problem) when missing or blank."""
        node = fields.get(key)
        name = f"{field}.{key}" if field else key
        if node is None:
            self.problem(parent, name, "is missing")
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            if isinstance(node, yaml.ScalarNode):
                self.problem(node, name, "is blank")
            else:
                self.problem(node, name, "should be a single value")
            return None
        value = str(node.value).strip()
        if not value:
            self.problem(node, name, "is blank")
            return None
        return value

    def sequence(self, node: yaml.Node, field: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, field, "should be a list (lines starting with '- ')")
            return []
        return list(node.value)


def load_framework_yaml(text: str, source_name: str) -> CompetencyFramework:
    """An organisation's framework from YAML (the format is in docs/instruments.md)::

        format: imheval-framework/1     # optional
        id: trust-imh
        title: Our IMH competencies
        source: Where it comes from     # optional
        domains:
          - id: relationships
            label: Relationship-based practice
            competencies:               # optional
              - id: rel-1
                label: Builds a working relationship with parents

    Ids may not contain ':', and every domain and competency id is unique within the
    framework. Raises :class:`FrameworkError` listing every problem, each with its field and
    line; nothing is returned from a file with any problem.
    """
    # Composed, never constructed: only the node tree is built, its scalars are read as the
    # text in the file (so 007 stays "007" and yes stays "yes"), and an alias is the node it
    # names, so aliases cannot expand the document; the walk below goes two levels deep.
    try:
        root = yaml.compose(text.lstrip("\ufeff"), Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        detail = exc.problem or exc.context or "invalid YAML"
        raise FrameworkError(
            [Problem(source_name, f"is not valid YAML{where}: {detail}")]
        ) from None
    except RecursionError:
        raise FrameworkError(
            [Problem(source_name, "is nested too deeply to be a framework file (see its format)")]
        ) from None
    except yaml.YAMLError as exc:
        raise FrameworkError([Problem(source_name, f"is not valid YAML: {exc}")]) from None
    if root is None:
        raise FrameworkError([Problem(source_name, "is empty; it should start with 'id:'")])
    walk = _Yaml(source_name)
    top = walk.mapping(root, "", _FRAMEWORK_KEYS)
    if top is None:
        raise FrameworkError(walk.problems)
    if "format" in top:
        given = top["format"]
        if not isinstance(given, yaml.ScalarNode) or given.value != FRAMEWORK_FORMAT:
            walk.problem(given, "format", f"should be {FRAMEWORK_FORMAT}")
    framework_id = walk.text(top, "id", "", root)
    if framework_id is not None and (why := _check_id(framework_id)):
        walk.problem(top["id"], "id", why)
    title = walk.text(top, "title", "", root)
    source = ""
    if "source" in top:
        source = walk.text(top, "source", "", root) or ""
    domains: list[CompetencyDomain] = []
    seen: dict[str, str] = {}
    if "domains" not in top:
        walk.problem(root, "domains", "is missing; a framework needs at least one domain")
    else:
        nodes = walk.sequence(top["domains"], "domains")
        if not nodes and isinstance(top["domains"], yaml.SequenceNode):
            walk.problem(top["domains"], "domains", "is empty; a framework needs a domain")
        for index, node in enumerate(nodes, start=1):
            domain = _yaml_domain(walk, node, f"domains[{index}]", seen)
            if domain is not None:
                domains.append(domain)
    if walk.problems:
        raise FrameworkError(walk.problems)
    assert framework_id is not None and title is not None  # no problems, so both were read
    return CompetencyFramework(framework_id, title, source, tuple(domains))


def _yaml_domain(
    walk: _Yaml, node: yaml.Node, field: str, seen: dict[str, str]
) -> CompetencyDomain | None:
    fields = walk.mapping(node, field, _DOMAIN_KEYS)
    if fields is None:
        return None
    domain_id = _yaml_id(walk, fields, field, node, seen)
    label = walk.text(fields, "label", field, node)
    competencies: list[Competency] = []
    for index, child in enumerate(
        walk.sequence(fields["competencies"], f"{field}.competencies")
        if "competencies" in fields
        else [],
        start=1,
    ):
        name = f"{field}.competencies[{index}]"
        child_fields = walk.mapping(child, name, _COMPETENCY_KEYS)
        if child_fields is None:
            continue
        competency_id = _yaml_id(walk, child_fields, name, child, seen)
        competency_label = walk.text(child_fields, "label", name, child)
        if competency_id is not None and competency_label is not None:
            competencies.append(Competency(competency_id, competency_label))
    if domain_id is None or label is None:
        return None
    return CompetencyDomain(domain_id, label, tuple(competencies))


def _yaml_id(
    walk: _Yaml, fields: dict[str, yaml.Node], field: str, node: yaml.Node, seen: dict[str, str]
) -> str | None:
    value = walk.text(fields, "id", field, node)
    if value is None:
        return None
    if why := _check_id(value):
        walk.problem(fields["id"], f"{field}.id", why)
        return None
    if value in seen:
        walk.problem(fields["id"], f"{field}.id", f"'{value}' is already the id of {seen[value]}")
        return None
    seen[value] = field
    return value


# Moodle's tool_lpimportcsv columns, as its export writes them; matched by name, in any order.
_PARENT = "Parent ID number"
_ID = "ID number"
_NAME = "Short name"
_IS_FRAMEWORK = "Is framework"
_DESCRIPTION = "Description"


def load_moodle_competency_csv(text: str, source_name: str) -> CompetencyFramework:
    """An organisation's framework from Moodle's competency framework CSV export.

    Moodle's ``tool_lpimportcsv`` layout: the row with "Is framework" = 1 is the framework (its
    ID number, short name and description become the id, title and source); a row whose Parent
    ID number is the framework's (or blank) is a domain; deeper rows are competencies, counted
    in the domain above them however deep they sit. Columns are matched by name (case and
    spaces aside); a byte-order mark and Windows line endings are fine. Raises
    :class:`FrameworkError` naming the row and column of every problem (no framework row,
    several, a missing or duplicate ID number, a missing short name, a parent that is not in
    the file); nothing is returned from a file with any problem. Rows are numbered as in a
    spreadsheet: the header is row 1.
    """
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise FrameworkError([Problem(source_name, "is empty; it should have a header row")])
    header = {cell.strip().casefold(): index for index, cell in enumerate(rows[0])}
    missing = [c for c in (_PARENT, _ID, _NAME, _IS_FRAMEWORK) if c.casefold() not in header]
    if missing:
        raise FrameworkError(
            [
                Problem(
                    source_name,
                    f"has no '{name}' column; is this Moodle's competency framework export?",
                    row=1,
                    column=name,
                )
                for name in missing
            ]
        )

    def cell(row: list[str], name: str) -> str:
        index = header.get(name.casefold())
        return row[index].strip() if index is not None and index < len(row) else ""

    problems: list[Problem] = []
    frameworks: list[int] = []
    framework_id = framework_description = ""
    parents: dict[str, str] = {}
    names: dict[str, str] = {}
    first_row: dict[str, int] = {}
    order: list[str] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in row):
            continue
        row_id = cell(row, _ID)
        if not row_id:
            problems.append(Problem(source_name, "is blank", row=number, column=_ID))
            continue
        if why := _check_id(row_id):
            problems.append(Problem(source_name, why, row=number, column=_ID))
            continue
        if row_id in first_row:
            problems.append(
                Problem(
                    source_name,
                    f"'{row_id}' is already the ID number of row {first_row[row_id]}",
                    row=number,
                    column=_ID,
                )
            )
            continue
        first_row[row_id] = number
        name = cell(row, _NAME)
        if not name:
            problems.append(Problem(source_name, "is blank", row=number, column=_NAME))
        names[row_id] = name
        if cell(row, _IS_FRAMEWORK) in ("1", "true", "yes"):
            frameworks.append(number)
            if cell(row, _PARENT):
                problems.append(
                    Problem(
                        source_name,
                        "should be blank on the framework's own row",
                        row=number,
                        column=_PARENT,
                    )
                )
            framework_description = cell(row, _DESCRIPTION)
            framework_id = row_id
        else:
            parents[row_id] = cell(row, _PARENT)
            order.append(row_id)
    if not frameworks:
        problems.insert(
            0,
            Problem(
                source_name,
                "no row has 'Is framework' set to 1, so the file names no framework",
                column=_IS_FRAMEWORK,
            ),
        )
        raise FrameworkError(problems)
    if len(frameworks) > 1:
        listed = ", ".join(str(n) for n in frameworks)
        problems.append(
            Problem(
                source_name,
                f"rows {listed} each say they are a framework; export one framework per file",
                column=_IS_FRAMEWORK,
            )
        )
        raise FrameworkError(problems)
    top = {row_id for row_id, parent in parents.items() if parent in ("", framework_id)}
    domain_of: dict[str, str] = {}
    for row_id in order:
        chain = [row_id]
        while chain[-1] not in top:
            parent = parents.get(chain[-1], "")
            if parent not in parents or parent in chain:
                break
            chain.append(parent)
        if chain[-1] in top:
            domain_of[row_id] = chain[-1]
        elif parents[row_id] not in parents and parents[row_id] != framework_id:
            problems.append(
                Problem(
                    source_name,
                    f"'{parents[row_id]}' is not the ID number of the framework or of any row",
                    row=first_row[row_id],
                    column=_PARENT,
                )
            )
        else:
            problems.append(
                Problem(
                    source_name,
                    f"'{row_id}' is its own ancestor through its parents; fix the parents",
                    row=first_row[row_id],
                    column=_PARENT,
                )
            )
    if problems:
        raise FrameworkError(problems)
    if not top:
        raise FrameworkError(
            [
                Problem(
                    source_name,
                    f"no row has the framework '{framework_id}' as its parent, so it has no "
                    "domains",
                    column=_PARENT,
                )
            ]
        )
    domains = tuple(
        CompetencyDomain(
            domain_id,
            names[domain_id],
            tuple(
                Competency(row_id, names[row_id])
                for row_id in order
                if row_id != domain_id and domain_of.get(row_id) == domain_id
            ),
        )
        for domain_id in order
        if domain_id in top
    )
    return CompetencyFramework(framework_id, names[framework_id], framework_description, domains)
