"""Workforce coverage: who has been trained to which framework level, against how many staff
should be, by organisation, service and profession (seeds 001, 003, 004).

The package never imports Django: the web app turns its rows into these types and asks it.
"""

from imheval.workforce.coverage import (
    BirthsCheck,
    CoverageResult,
    CoverageRow,
    Flag,
    LevelNeed,
    Status,
    coverage,
)
from imheval.workforce.inputs import Births, Post, Requirement, TrainingRecord, TrajectoryPoint
from imheval.workforce.ladder import BUILT_IN, Ladder, find_ladder, read_ladder
from imheval.workforce.read import (
    read_births,
    read_establishment,
    read_requirements,
    read_training,
)

__all__ = [
    "BUILT_IN",
    "Births",
    "BirthsCheck",
    "CoverageResult",
    "CoverageRow",
    "Flag",
    "Ladder",
    "LevelNeed",
    "Post",
    "Requirement",
    "Status",
    "TrainingRecord",
    "TrajectoryPoint",
    "coverage",
    "find_ladder",
    "read_births",
    "read_establishment",
    "read_ladder",
    "read_requirements",
    "read_training",
]
