"""Routes of a member's own link (public, by token), readings and competencies, the group
report, the register exports and CPD statements."""

from django.urls import URLPattern, path

from imheval.web.network import member_link, outputs, readings

G = "o/<slug:org>/groups/<int:group>/"

urlpatterns: list[URLPattern] = [
    # a member's own page: public by design, reached by an unguessable token
    path("m/<str:token>/", member_link.member_page, name="member_page"),
    path(
        "m/<str:token>/meetings/<int:meeting>/apologies/",
        member_link.member_apologies,
        name="member_apologies",
    ),
    path("m/<str:token>/cpd.pdf", outputs.own_cpd, name="member_cpd"),
    # the facilitators' side
    path(
        "o/<slug:org>/groups/<int:group>/members/<int:group_member>/link/",
        member_link.member_link,
        name="member_link",
    ),
    path(
        "o/<slug:org>/groups/<int:group>/members/<int:group_member>/cpd.pdf",
        outputs.member_cpd,
        name="member_cpd_statement",
    ),
    path(G + "report/", outputs.report, name="group_report"),
    # readings, frameworks and the coverage grid
    path(G + "readings/", readings.reading_list, name="readings"),
    path(G + "readings/<int:reading>/", readings.reading_edit, name="reading_edit"),
    path(G + "readings/<int:reading>/remove/", readings.reading_delete, name="reading_delete"),
    path(
        G + "meetings/<int:meeting>/readings/",
        readings.meeting_readings,
        name="meeting_readings",
    ),
    path(G + "frameworks/", readings.framework_list, name="frameworks"),
    path(G + "coverage/", readings.coverage_page, name="coverage"),
    path(
        "o/<slug:org>/groups/<int:group>/register-export/",
        outputs.register_export,
        name="register_export",
    ),
]
