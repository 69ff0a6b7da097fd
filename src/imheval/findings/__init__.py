"""Findings: plain-English statements about results, kept as data (:class:`Finding`).

* :mod:`~imheval.findings.model`: :class:`Finding` and :func:`finding`, which builds one from the
  words and the statistics of its sentence, so the words can be shown with the statistics beside
  them and nobody has to take a sentence apart again.
* :mod:`~imheval.findings.wording`: the wording every writer shares (people, plurals, lists,
  scores, effect sizes), for the findings, the report and the terminal alike.

The findings of a pre/post evaluation are written by :mod:`imheval.evaluation.findings`; a new
kind of evaluation (a network group's attendance, a focus group's themes) writes its own with
the same :func:`finding` and wording.
"""

from __future__ import annotations

from imheval.findings.model import FigureValue, Finding, Stats, finding

__all__ = ["FigureValue", "Finding", "Stats", "finding"]
