"""What leaves a qualitative study: Table 3, quotes by sub-theme, the code-by-speaker matrix,
the joint display, and the focus-group section of the evaluation and network group reports.

Everything is computed by the core (:mod:`imheval.qualitative.outputs`, the section's values by
:func:`~imheval.qualitative.outputs_section.qualitative_section`) from
:func:`~imheval.web.qualitative.adapter.project_for`; this module only reads the rows the core
does not know (phase log, reviews, codebook history, joint display links) and serves files.

Quotes are attributed by speaker label (PX2) unless the address asks ``?quotes=role``: role
and group ("Health visitor – Focus group 1", as seed 000 did); the page, its downloads and the
study's section then all use it.

Who: anyone in the organisation reads and downloads them. Transcripts are stored pseudonymised,
quotes name speakers by label only (or role and group, a role held by one speaker shown as
"Participant"), and a breakdown by speaker attributes goes through the small-group rule, so
nothing here identifies a participant; members who may read the study in the app may take its
outputs away. Linking quotes to findings (the joint display) changes the analysis, so it needs
``code_qualitative`` (analysts, evaluators, admins).

While coding is blind (a codebook study before its comparison is opened) the pages and
downloads hold only the viewer's own codings (``project_for(study, viewer=...)``) and say so,
and the evaluation and network group reports leave the study out until its comparison is open.

Whose codings are counted and quoted: the study's ``reported_coder`` (in a codebook study the
coder whose coding, usually the agreed one, is reported), or everyone's when it is not set
(:func:`counted_coders`). Everyone's would count a passage two coders coded twice. The page,
its downloads, the quotes the joint display offers and the reports' sections all follow it;
while blind the viewer's own codings still win.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from imheval.errors import ImhevalError
from imheval.qualitative import outputs as core_outputs
from imheval.qualitative.agreement import AgreementError, agreement
from imheval.qualitative.model import Project
from imheval.qualitative.outputs import Attribution, LinkableFinding
from imheval.qualitative.outputs_section import (
    AgreementRow,
    CodebookChange,
    PhaseEntry,
    QualitativeSection,
    ReviewEntry,
    qualitative_section,
)
from imheval.qualitative.outputs_write import (
    matrix_csv_bytes,
    matrix_sav_bytes,
    matrix_xlsx_bytes,
    table3_csv_bytes,
    table3_xlsx_bytes,
)
from imheval.reports import write_report
from imheval.reports.model import Report
from imheval.reports.sections.qualitative import linkable_findings, qualitative_report_section
from imheval.web.organisations.access import FORM, POST, Access
from imheval.web.qualitative.adapter import project_for
from imheval.web.qualitative.models import (
    Approach,
    CodeChange,
    Coder,
    FindingLink,
    Review,
    Study,
)
from imheval.web.qualitative.models import PhaseEntry as PhaseRow
from imheval.web.qualitative.numbers import posted_pk
from imheval.web.qualitative.review import person, study_crumbs, study_url
from imheval.web.qualitative.study_access import (
    CODE,
    EVERY_CODER,
    blind_notice,
    is_blind,
    may,
    organisation_page,
    seen_codings,
)
from imheval.web.qualitative.study_access import require as require_action

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
#: ?file= and ?format= of the downloads, and the content type of each.
DOWNLOADS: dict[str, dict[str, str]] = {
    "table3": {"csv": "text/csv; charset=utf-8", "xlsx": XLSX, "docx": DOCX},
    "matrix": {"csv": "text/csv; charset=utf-8", "xlsx": XLSX, "sav": "application/x-spss-sav"},
    "section": {"docx": DOCX, "html": "text/html; charset=utf-8"},
}
#: The policy for the section shown in the browser (its own inline CSS, data: images).
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


# ---------------------------------------------------------------------------- the section


def scope_name(study: Study) -> str:
    """What the study belongs to, in words ("cohort SOL-1", "the network group Perinatal")."""
    if study.cohort is not None:
        return f"cohort {study.cohort.name}"
    if study.programme is not None:
        return f"the programme {study.programme.name}"
    if study.network_group is not None:
        return f"the network group {study.network_group.name}"
    return ""


def scope_findings(study: Study) -> tuple[LinkableFinding, ...] | str:
    """The quantitative findings of the study's cohort or programme a quote can be linked to,
    or the reason there are none (a network group has no questionnaire evaluation; a scope
    with too few answers has no findings yet)."""
    if study.network_group is not None:
        return "A network group has no questionnaire results to set quotes beside."
    from imheval.web.results.analysis import Scope, analyse

    scope = Scope.of(study.organisation, study.cohort or study.programme)
    analysis = analyse(scope, deeper=False)
    if analysis.evaluation is None:
        return analysis.problem or "The questionnaire results are not ready yet."
    return linkable_findings(analysis.evaluation)


def counted_coders(study: Study, viewer: Any = EVERY_CODER) -> frozenset[str] | None:
    """The GUIDs of the coders whose codings ``viewer``'s outputs count and quote: the study's
    reported coder, or None (everyone's) when there is none or while coding is blind for a
    viewer (who then holds only their own codings, and sees them)."""
    if study.reported_coder_id is None:  # type: ignore[attr-defined]
        return None
    if viewer is not EVERY_CODER and is_blind(study):
        return None
    return frozenset({study.reported_coder.guid})  # type: ignore[union-attr]


def codings_by(study: Study, viewer: Any) -> str:
    """Whose codings ``viewer``'s outputs show, in words: "Coder A", "everyone", "you" (a
    coder, while blind) or "" (someone who is not a coder sees none while blind)."""
    if viewer is not EVERY_CODER and is_blind(study):
        return "you" if Coder.objects.filter(study=study, user=viewer).exists() else ""
    if counted_coders(study, viewer) is None:
        return "everyone"
    return str(study.reported_coder)


def _links(study: Study, project: Project) -> dict[str, list[str]]:
    """{finding: the guids of its linked codings}, of the codings ``project`` holds."""
    shown = {coding.guid for coding in project.codings}
    links: dict[str, list[str]] = defaultdict(list)
    for key, guid in FindingLink.objects.filter(study=study).values_list("finding", "coding__guid"):
        if guid in shown:
            links[key].append(guid)
    return dict(links)


def _agreement_rows(study: Study, project: Project) -> tuple[AgreementRow, ...]:
    if study.approach != Approach.CODEBOOK or study.comparison_opened_at is None:
        return ()
    try:
        report = agreement(project, unit=study.agreement_unit)  # type: ignore[arg-type]
    except AgreementError:
        return ()
    return tuple(
        AgreementRow(
            code=result.code.name,
            units=result.pooled.units,
            percent_agreement=result.pooled.percent_agreement,
            cohen_kappa=result.pooled.cohen_kappa,
            krippendorff_alpha=result.pooled.krippendorff_alpha,
            reason=result.pooled.reason,
        )
        for result in report.codes
    )


def section_for(
    study: Study,
    findings: tuple[LinkableFinding, ...] = (),
    project: Project | None = None,
    attribution: Attribution = "speaker",
    viewer: Any = EVERY_CODER,
) -> QualitativeSection:
    """The report section's values for ``study`` (``findings`` for its joint display), its
    quotes attributed by speaker label or by role and group, counting and quoting the
    codings :func:`counted_coders` names for ``viewer`` (``project`` is ``viewer``'s)."""
    project = project or project_for(study, viewer=viewer)
    reviews = tuple(
        ReviewEntry(
            reviewer=person(review.reviewer),
            theme=review.code.name,
            decision=review.decision,
            comment=review.comment or review.proposed_name,
            response=review.response,
        )
        for review in Review.objects.filter(study=study).select_related("code", "reviewer")
    )
    changes = tuple(
        CodebookChange(kind=change.kind, before=change.before, after=change.after)
        for change in CodeChange.objects.filter(code__study=study).exclude(kind="created")
    )
    agreement_rows = _agreement_rows(study, project)
    reported = counted_coders(study, viewer)
    return qualitative_section(
        project,
        study=study.name,
        scope=scope_name(study),
        approach=study.approach,
        phases=(
            PhaseEntry(phase=row.phase, date=row.date, memo=row.memo)
            for row in PhaseRow.objects.filter(study=study)
        ),
        reflexivity=study.reflexivity,
        reviews=reviews,
        changes=changes,
        agreement=agreement_rows,
        agreement_unit=study.agreement_unit,
        coders=tuple(user.name for user in project.users) if agreement_rows else (),
        findings=findings,
        links=_links(study, project),
        attribution=attribution,
        counted_coders=reported,
        reported_coder=study.reported_coder.name
        if reported is not None and study.reported_coder is not None
        else "",
    )


def sections_for_scope(
    obj: Any, findings: tuple[LinkableFinding, ...] = ()
) -> tuple[QualitativeSection, ...]:
    """The sections' values of every study of a cohort, programme or network group (for the
    evaluation report and the network group report); a study whose coding is still blind is
    left out until its comparison is opened (the report is everyone's, the codings are not yet)."""
    from imheval.web.network.models import NetworkGroup
    from imheval.web.workspace.models import Cohort

    field = (
        "cohort"
        if isinstance(obj, Cohort)
        else "network_group"
        if isinstance(obj, NetworkGroup)
        else "programme"
    )
    studies = Study.objects.filter(**{field: obj}).select_related(
        "cohort", "programme", "network_group", "organisation", "reported_coder"
    )
    return tuple(section_for(study, findings) for study in studies if not is_blind(study))


def evaluation_sections(scope: Any, evaluation: Any) -> tuple[QualitativeSection, ...]:
    """The focus-group sections for the evaluation report of a results scope (a cohort's or a
    programme's; the organisation's has none), their joint displays keyed to ``evaluation``."""
    target = scope.cohort or scope.programme
    if target is None:
        return ()
    return sections_for_scope(target, linkable_findings(evaluation))


# ---------------------------------------------------------------------------- files


def section_report(data: QualitativeSection) -> Report:
    return Report(
        title=f"Focus group: {data.study}",
        subtitle=data.scope,
        generated="",
        sections=(qualitative_report_section(data),),
        generated_label="",
    )


def _rendered(report: Report, extension: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="imheval-qual-") as folder:
        return write_report(report, Path(folder) / f"section{extension}").read_bytes()


def _attachment(content: bytes, content_type: str, name: str, inline: bool = False) -> Any:
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------------------- pages

#: ``?quotes=`` of the outputs page and its downloads: how quotes are attributed.
ATTRIBUTIONS: dict[str, tuple[Attribution, str]] = {
    "speaker": ("speaker", "By speaker label, for example PX2"),
    "role": ("role", "By role and group, for example Health visitor – Focus group 1"),
}


def attribution_of(request: HttpRequest) -> Attribution:
    """How the request asks quotes to be attributed (``?quotes=role``); else by speaker."""
    return ATTRIBUTIONS.get(request.GET.get("quotes", ""), ATTRIBUTIONS["speaker"])[0]


@organisation_page("view")
def outputs(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Table 3 and the quotes on the page; the downloads."""
    project = project_for(study, viewer=request.user)
    coders = counted_coders(study, request.user)
    rows = core_outputs.table3(project, coders=coders)
    attribution = attribution_of(request)
    context = {
        "study": study,
        "codings_by": codings_by(study, request.user),
        "reported": coders is not None,
        "table3": list(zip(core_outputs.table3_labels(rows), rows, strict=True)),
        "quotes": core_outputs.quotes_by_subtheme(project, attribution=attribution, coders=coders),
        "attribution": attribution,
        "attributions": [(value, words) for value, (_, words) in ATTRIBUTIONS.items()],
        # the downloads that hold quotes keep the page's choice
        "quotes_query": "&quotes=role" if attribution == "role" else "",
        "speakers": len(core_outputs.code_speaker_matrix(project, coders=coders).speakers),
        "links": FindingLink.objects.filter(
            study=study, coding__in=seen_codings(study, request.user)
        ).count(),
        "blind_notice": blind_notice(study, request.user, "this page and its downloads hold"),
        "crumbs": study_crumbs(access, study),
    }
    return render(request, "qualitative/outputs.html", context)


@organisation_page("view")
def outputs_export(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """``?file=table3|matrix|section`` as ``?format=`` (see :data:`DOWNLOADS`); the Word and
    HTML files attribute quotes as ``?quotes=`` asks (see :func:`attribution_of`)."""
    what, kind = request.GET.get("file", ""), request.GET.get("format", "")
    if kind not in DOWNLOADS.get(what, {}):
        raise Http404("No such download")
    content_type = DOWNLOADS[what][kind]
    stem = slugify(study.name) or "study"
    project = project_for(study, viewer=request.user)
    coders = counted_coders(study, request.user)
    if what == "table3":
        rows = core_outputs.table3(project, coders=coders)
        if kind == "csv":
            content = table3_csv_bytes(rows)
        elif kind == "xlsx":
            content = table3_xlsx_bytes(rows)
        else:
            section = section_for(
                study, project=project, attribution=attribution_of(request), viewer=request.user
            )
            content = _rendered(section_report(section), ".docx")
        return _attachment(content, content_type, f"{stem}-table-3.{kind}")
    if what == "matrix":
        matrix = core_outputs.code_speaker_matrix(project, coders=coders)
        if kind == "csv":
            content = matrix_csv_bytes(matrix)
        elif kind == "xlsx":
            content = matrix_xlsx_bytes(matrix)
        else:
            content = matrix_sav_bytes(matrix, file_label=study.name[:60])
        return _attachment(content, content_type, f"{stem}-code-by-speaker.{kind}")
    findings = scope_findings(study)
    data = section_for(
        study,
        findings if isinstance(findings, tuple) else (),
        project,
        attribution_of(request),
        viewer=request.user,
    )
    try:
        content = _rendered(section_report(data), f".{kind}")
    except ImhevalError as error:
        messages.error(request, f"The section could not be written: {error}")
        return redirect(study_url("outputs", access, study))
    response = _attachment(content, content_type, f"{stem}-focus-group.{kind}", kind == "html")
    if kind == "html":
        response["Content-Security-Policy"] = REPORT_CSP
    return response


@organisation_page("view", FORM)
def joint(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """The joint display: each finding with its linked quotes; analysts link, reorder and
    remove quotes (POST ``action=add|up|down|remove``)."""
    if request.method == "POST":
        require_action(access, CODE)
        _change_link(request, study)
        return redirect(study_url("joint", access, study))
    found = scope_findings(study)
    findings = found if isinstance(found, tuple) else ()
    project = project_for(study, viewer=request.user)
    codings = {c.guid: c for c in seen_codings(study, request.user)}
    link_rows: dict[str, list[FindingLink]] = defaultdict(list)
    for link in FindingLink.objects.filter(study=study).select_related("coding"):
        if link.coding.guid in codings:
            link_rows[link.finding].append(link)
    # the quotes offered are the reported coder's (the ones the outputs quote); links already
    # made to another coder's quote stay shown
    quotes = {
        quote.coding: quote
        for group in core_outputs.quotes_by_subtheme(
            project, coders=counted_coders(study, request.user)
        )
        for quote in group.quotes
    }
    all_quotes = [
        (codings[guid].pk, f"{quote.attribution}: {quote.text[:90]}")
        for guid, quote in quotes.items()
        if guid in codings
    ]
    rows = []
    for finding in findings:
        linked = []
        for link in link_rows.get(finding.key, []):
            quote = core_outputs.make_quote(project, _core_coding(project, link.coding.guid))
            linked.append((link, quote))
        rows.append({"finding": finding, "links": linked})
    known = {finding.key for finding in findings}
    context = {
        "study": study,
        "problem": "" if isinstance(found, tuple) else found,
        "rows": rows,
        "unmatched": sorted(key for key in link_rows if key not in known) if findings else [],
        "quotes": all_quotes,
        "may_link": may(access, CODE),
        "blind_notice": blind_notice(study, request.user, "the quotes here are"),
        "crumbs": study_crumbs(access, study, ("Outputs", study_url("outputs", access, study))),
    }
    return render(request, "qualitative/joint.html", context)


def _core_coding(project: Project, guid: str) -> Any:
    return next(coding for coding in project.codings if coding.guid == guid)


def _change_link(request: HttpRequest, study: Study) -> None:
    action = request.POST.get("action", "")
    if action == "add":
        finding = request.POST.get("finding", "").strip()[:200]
        chosen = posted_pk(request.POST.get("coding"))
        coding = seen_codings(study, request.user).filter(pk=chosen).first()
        if not finding or "\x00" in finding or coding is None:
            messages.error(request, "Choose a finding and a quote to set beside it.")
            return
        if FindingLink.objects.filter(finding=finding, coding=coding).exists():
            messages.error(request, "That quote is already beside that finding.")
            return
        last = FindingLink.objects.filter(study=study, finding=finding).aggregate(Max("position"))
        FindingLink.objects.create(
            study=study,
            finding=finding,
            coding=coding,
            position=(last["position__max"] or 0) + 1,
        )
        messages.success(request, "The quote is set beside the finding.")
        return
    link = FindingLink.objects.filter(
        study=study,
        pk=posted_pk(request.POST.get("link")),
        coding__in=seen_codings(study, request.user),
    ).first()
    if link is None:
        messages.error(request, "That link no longer exists.")
        return
    if action == "remove":
        link.delete()
        messages.success(request, "The quote is no longer beside the finding.")
        return
    if action in {"up", "down"}:
        with transaction.atomic():
            siblings = list(FindingLink.objects.filter(study=study, finding=link.finding))
            at = next(i for i, s in enumerate(siblings) if s.pk == link.pk)
            other = at - 1 if action == "up" else at + 1
            if 0 <= other < len(siblings):
                siblings[at], siblings[other] = siblings[other], siblings[at]
                for position, sibling in enumerate(siblings, start=1):
                    if sibling.position != position:
                        sibling.position = position
                        sibling.save(update_fields=["position"])


@organisation_page("view", POST)
def joint_unused(request: HttpRequest, access: Access, study: Study) -> HttpResponse:
    """Remove every link whose finding the evaluation no longer has."""
    require_action(access, CODE)
    found = scope_findings(study)
    if isinstance(found, tuple):
        known = {finding.key for finding in found}
        FindingLink.objects.filter(study=study).exclude(finding__in=known).delete()
    return redirect(study_url("joint", access, study))
