"""The planning page (/o/<org>/plan/): ``imheval plan`` in the browser, for any member.

A GET form (so an answer can be bookmarked and shared), nothing stored. The expected change and
the target power give the people and cohorts needed; a cohort size adds the chart of power
against the number of cohorts; a number of cohorts adds the power of each analysis of that
design and the smallest effect it detects. The same checks as the command line
(:func:`imheval.stats.planning.plan_input_problems`) become field errors.

Simulation runs in the request, capped at :data:`MAX_WEB_SIMULATIONS` studies and
:data:`MAX_SIMULATED_PEOPLE` people per study. Each simulated study fits the mixed model twice,
with the expected change and with none (for its false-positive rate beside its power): 25
studies of 15 x 20 people took 7 s in all on a quiet 2-core machine (one fit was measured at 0.2
to 0.5 s for 24 to 200 people before, about 1 s on a busy machine: up to about 50 s there for
300 people, too near the 60 s bound of :mod:`imheval.web.deadline`, so designs of up to 200):
a rough estimate with its Monte Carlo
standard error on the page.
A precise one (1,000 studies, minutes) is for ``imheval plan --simulate`` with its progress
bar; a background job would need a new kind in the tasks app (see docs/web.md). The closed
forms answer everything else instantly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from imheval.reports.plan_words import (
    ANALYSIS_SHORT,
    cohort_means_sentence,
    design_sentences,
    effect_text,
    percent,
    plan_sentence,
)
from imheval.reports.power_chart import power_chart_alt, power_chart_svg
from imheval.stats.planning import (
    MIN_COHORTS,
    PlanInputs,
    PowerByCohorts,
    cohorts_needed,
    plan_input_problems,
    power_by_cohorts,
)
from imheval.stats.power import DesignPower, StudyPlan, design_power, plan_study
from imheval.web.organisations.access import Access
from imheval.web.workspace.forms import InlineRadioSelect
from imheval.web.workspace.views import organisation_page

#: The most simulated studies the page runs in a request (each fits the mixed model).
MAX_WEB_SIMULATIONS = 25

#: The most people enrolled in a design the page simulates (cohorts x people per cohort).
MAX_SIMULATED_PEOPLE = 200

#: The chart shows designs of 2 cohorts up to at least this many (more if the design has more).
CHART_COHORTS = 12

#: The most cohorts and people per cohort the page plans for (beyond, use the command line).
MAX_COHORTS = 200
MAX_COHORT_SIZE = 1000


def _number(attrs_class: str, mode: str) -> forms.TextInput:
    return forms.TextInput(attrs={"class": attrs_class, "inputmode": mode})


class PlanForm(forms.Form):
    """The planning question. Field names are those of :class:`PlanInputs` where they match."""

    effect = forms.FloatField(
        label="Expected change (d_z)",
        help_text="The mean change divided by the standard deviation of the change, for "
        "example 0.5. Around 0.2 is small, 0.5 medium and 0.8 large.",
        widget=_number("nhsuk-input--width-4", "decimal"),
        error_messages={
            "required": "Enter the expected change, for example 0.5",
            "invalid": "Enter the expected change as a number, for example 0.5",
        },
    )
    power = forms.TypedChoiceField(
        label="Chance of detecting it (power)",
        choices=[("0.8", "80%"), ("0.9", "90%")],
        coerce=float,
        initial="0.8",
        widget=InlineRadioSelect,
        # Django formats these messages with %: a percent sign is written %%
        error_messages={"required": "Choose 80% or 90%", "invalid_choice": "Choose 80%% or 90%%"},
    )
    cohort_size = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_COHORT_SIZE,
        label="People per cohort (optional)",
        help_text="For example 12. Gives the cohorts needed and a chart of power against the "
        "number of cohorts.",
        widget=_number("nhsuk-input--width-4", "numeric"),
        error_messages={
            "invalid": "Enter the people per cohort as a whole number, for example 12",
            "min_value": "Enter 1 or more people per cohort, or leave it blank",
            "max_value": f"Enter at most {MAX_COHORT_SIZE:,} people per cohort",
        },
    )
    icc = forms.FloatField(
        required=False,
        min_value=0,
        max_value=0.99,
        label="How alike people in a cohort are (ICC, optional)",
        help_text="The intraclass correlation of the change scores within cohorts, for example "
        "0.05. Leave blank for 0: people in a cohort change no more alike than any others.",
        widget=_number("nhsuk-input--width-4", "decimal"),
        error_messages={
            "invalid": "Enter the ICC as a number between 0 and 0.99, for example 0.05",
            "min_value": "Enter an ICC of 0 or more",
            "max_value": "Enter an ICC below 1, for example 0.05",
        },
    )
    attrition = forms.FloatField(
        required=False,
        min_value=0,
        max_value=95,
        label="People not returning after training, % (optional)",
        help_text="For example 15. Leave blank for none.",
        widget=_number("nhsuk-input--width-3", "decimal"),
        error_messages={
            "invalid": "Enter the people not returning as a percentage, for example 15",
            "min_value": "Enter 0%% or more",
            "max_value": "Enter at most 95%%",
        },
    )
    alpha = forms.FloatField(
        required=False,
        min_value=0.001,
        max_value=0.2,
        label="Significance level (alpha, optional)",
        help_text="Two-sided. Leave blank for 0.05.",
        widget=_number("nhsuk-input--width-4", "decimal"),
        error_messages={
            "invalid": "Enter the significance level as a number, for example 0.05",
            "min_value": "Enter a significance level of 0.001 or more",
            "max_value": "Enter a significance level of 0.2 or less",
        },
    )
    cohorts = forms.IntegerField(
        required=False,
        min_value=MIN_COHORTS,
        max_value=MAX_COHORTS,
        label="Number of cohorts in your design (optional)",
        help_text="For example 5. With the people per cohort, gives the power of each analysis "
        "of that design and the smallest change it can detect.",
        widget=_number("nhsuk-input--width-3", "numeric"),
        error_messages={
            "invalid": "Enter the number of cohorts as a whole number, for example 5",
            "min_value": f"Enter {MIN_COHORTS} or more cohorts, or leave it blank",
            "max_value": f"Enter at most {MAX_COHORTS} cohorts",
        },
    )
    simulate = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_WEB_SIMULATIONS,
        label="Simulated studies for the mixed model (optional)",
        help_text=f"Up to {MAX_WEB_SIMULATIONS}, for a rough estimate of the mixed model's power "
        "(it takes up to about 25 seconds); needs the number of cohorts. Leave blank for the "
        "closed forms only. For a precise estimate run 1,000 with imheval plan --simulate.",
        widget=_number("nhsuk-input--width-4", "numeric"),
        error_messages={
            "invalid": "Enter the simulated studies as a whole number, for example 25",
            "min_value": "Enter 0 or more simulated studies",
            "max_value": f"Enter at most {MAX_WEB_SIMULATIONS} simulated studies",
        },
    )
    seed = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**31 - 1,
        label="Seed of the simulation (optional)",
        help_text="The same seed gives the same simulated studies. Leave blank for 1.",
        widget=_number("nhsuk-input--width-5", "numeric"),
        error_messages={
            "invalid": "Enter the seed as a whole number, for example 1",
            "min_value": "Enter a seed of 0 or more",
            "max_value": "Enter a smaller seed",
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.errors:
            return cleaned
        problems = plan_input_problems(self.inputs(), max_simulations=MAX_WEB_SIMULATIONS)
        for name, message in problems.items():
            self.add_error(name if name in self.fields else None, message)
        cohorts, size = cleaned.get("cohorts"), cleaned.get("cohort_size")
        simulated = "simulate" not in self.errors and cleaned.get("simulate")
        if simulated and cohorts and size and cohorts * size > MAX_SIMULATED_PEOPLE:
            self.add_error(
                "simulate",
                f"The page simulates designs of up to {MAX_SIMULATED_PEOPLE} people; for "
                f"{cohorts * size}, use imheval plan --simulate",
            )
        return cleaned

    def inputs(self) -> PlanInputs:
        """The design question (without the target power, which is asked separately)."""
        data = self.cleaned_data
        attrition = data.get("attrition")
        alpha = data.get("alpha")
        return PlanInputs(
            effect=data.get("effect"),
            alpha=0.05 if alpha is None else alpha,
            cohorts=data.get("cohorts"),
            cohort_size=data.get("cohort_size"),
            icc=data.get("icc"),
            attrition=0.0 if attrition is None else attrition / 100,
            simulate=data.get("simulate") or 0,
        )


@dataclass(frozen=True)
class PlanAnswer:
    """What the page shows for a valid question."""

    study: StudyPlan
    sentence: str
    cohort_means_sentence: str
    design: DesignPower | None
    design_sentences: list[str]
    curve: PowerByCohorts | None
    chart_svg: str
    chart_alt: str


def _answer(form: PlanForm) -> PlanAnswer:
    inputs = form.inputs()
    effect = inputs.effect
    assert effect is not None  # the form requires it
    study = plan_study(
        effect,
        power=form.cleaned_data["power"],
        alpha=inputs.alpha,
        cohort_size=inputs.cohort_size,
        icc=inputs.icc,
        attrition=inputs.attrition,
    )
    design = None
    if inputs.cohorts is not None and inputs.cohort_size is not None:
        seed = form.cleaned_data.get("seed")
        design = design_power(
            inputs.cohorts,
            inputs.cohort_size,
            effect,
            icc=inputs.icc or 0.0,
            attrition=inputs.attrition,
            alpha=inputs.alpha,
            simulate=inputs.simulate,
            seed=1 if seed is None else seed,
        )
    curve = None
    chart_svg = chart_alt = ""
    if inputs.cohort_size is not None:
        curve = power_by_cohorts(
            inputs.cohort_size,
            effect,
            icc=inputs.icc or 0.0,
            attrition=inputs.attrition,
            alpha=inputs.alpha,
            most_cohorts=max(CHART_COHORTS, inputs.cohorts or 0),
        )
        chart_svg, chart_alt = power_chart_svg(curve), power_chart_alt(curve)
    cohort_means = ""
    if inputs.cohort_size is not None:
        needed = cohorts_needed(
            "cohort",
            inputs.cohort_size,
            effect,
            power=form.cleaned_data["power"],
            icc=inputs.icc or 0.0,
            attrition=inputs.attrition,
            alpha=inputs.alpha,
        )
        cohort_means = cohort_means_sentence(study, needed)
    return PlanAnswer(
        study=study,
        sentence=plan_sentence(study),
        cohort_means_sentence=cohort_means,
        design=design,
        design_sentences=design_sentences(design) if design is not None else [],
        curve=curve,
        chart_svg=chart_svg,
        chart_alt=chart_alt,
    )


def _curve_rows(curve: PowerByCohorts) -> list[tuple[int, int, str, str]]:
    """(cohorts, people enrolled, participant-level power, cohort-level power) for the table."""

    def shown(value: float | None) -> str:
        return "not computed" if value is None else percent(value)

    return [
        (count, count * curve.cohort_size, shown(participant), shown(cohort))
        for count, participant, cohort in zip(
            curve.cohorts, curve.participant, curve.cohort, strict=True
        )
    ]


def _design_rows(design: DesignPower) -> list[dict[str, str]]:
    smallest = dict(design.smallest_detectable)
    rows = []
    for analysis in design.analyses:
        detectable = smallest.get(analysis.analysis)
        power = "not computed" if analysis.power is None else percent(analysis.power)
        simulated = analysis.simulated_power
        if simulated is not None and analysis.standard_error is not None:
            check = f"{percent(simulated)} (SE {analysis.standard_error * 100:.1f} points)"
            power = check if analysis.method == "simulation" else f"{power}; simulated {check}"
        rows.append(
            {
                "analysis": ANALYSIS_SHORT.get(analysis.analysis, analysis.analysis),
                "power": power,
                "method": analysis.method,
                "smallest": "" if detectable is None else effect_text(detectable),
                "false_positives": (
                    ""
                    if analysis.false_positive_rate is None
                    else percent(analysis.false_positive_rate)
                ),
            }
        )
    return rows


@organisation_page()
def plan(request: HttpRequest, access: Access) -> HttpResponse:
    """The planning form, and its answer when the form is filled in (GET)."""
    asked = "effect" in request.GET
    form = PlanForm(request.GET if asked else None)
    answer = None
    problem = ""
    if asked and form.is_valid():
        try:
            answer = _answer(form)
        except ValueError as error:  # an input the checks let through: say so, never a 500
            problem = str(error)
    context = {
        "form": form,
        "answer": answer,
        "problem": problem,
        "curve_rows": _curve_rows(answer.curve) if answer and answer.curve else [],
        "design_rows": _design_rows(answer.design) if answer and answer.design else [],
        "crumbs": [
            ("Home", reverse("workspace:organisation", kwargs={"org": access.organisation.slug}))
        ],
        "max_simulations": MAX_WEB_SIMULATIONS,
        "alpha_percent": f"{answer.design.alpha * 100:g}%" if answer and answer.design else "",
    }
    return render(request, "workspace/plan.html", context)
