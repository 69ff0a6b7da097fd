"""Competency frameworks that instrument items (and, later, readings) can be mapped to.

Only the frameworks' domain names are shipped: the AIMH UK Infant Mental Health Competency
Framework's seven domains (pregnancy to age 2, 2019), and the eight domain names of the MI-AIMH
Competency Guidelines®, whose detailed competencies are licensed and must not be redistributed.
An item names domains by id in its ``competencies``; the instrument names the framework in its
``framework`` field. See docs/instruments.md, "Competencies".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CompetencyDomain:
    """One domain of a framework: an id for files and a label for people."""

    id: str
    label: str


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

#: The frameworks an instrument may name, by id.
FRAMEWORKS: dict[str, CompetencyFramework] = {f.id: f for f in (AIMH_UK, MI_AIMH)}
