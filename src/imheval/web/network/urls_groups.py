"""The network group pages (views.py): the organisation's groups, a group's page and settings,
its meetings, members and register, and its calendar. Each address names its objects with the
keywords group_access.SCOPED_OBJECTS loads from the organisation (group, meeting,
group_member, period). The calendar feed is public by design: its address carries a random
token the group's editors can replace."""

from django.urls import URLPattern, path

from imheval.web.network import views

G = "o/<slug:org>/groups/<int:group>/"

urlpatterns: list[URLPattern] = [
    path("o/<slug:org>/groups/", views.groups, name="groups"),
    path("o/<slug:org>/groups/new/", views.group_create, name="group_create"),
    path(G, views.group, name="group"),
    path(G + "edit/", views.group_edit, name="group_edit"),
    path(G + "meetings.ics", views.group_calendar, name="group_calendar"),
    path(
        G + "calendar-address/",
        views.group_calendar_address,
        name="group_calendar_address",
    ),
    path(G + "meetings/", views.meeting_list, name="meetings"),
    path(G + "meetings/make/", views.meetings_generate, name="meetings_generate"),
    path(G + "meetings/new/", views.meeting_create, name="meeting_create"),
    path(G + "meetings/<int:meeting>/", views.meeting_edit, name="meeting_edit"),
    path(G + "meetings/<int:meeting>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(G + "meetings/<int:meeting>/register/", views.register, name="register"),
    path(G + "members/", views.member_list, name="members"),
    path(G + "members/new/", views.member_create, name="member_create"),
    path(G + "members/<int:group_member>/", views.member_edit, name="member_edit"),
    path(G + "members/<int:group_member>/leave/", views.member_leave, name="member_leave"),
    path(G + "members/<int:group_member>/rejoin/", views.member_rejoin, name="member_rejoin"),
    path(
        G + "members/<int:group_member>/periods/<int:period>/",
        views.period_edit,
        name="period_edit",
    ),
    # A calendar app cannot sign in: the address carries the group's calendar token.
    path(
        "calendars/<str:token>/meetings.ics",
        views.group_calendar_feed,
        name="group_calendar_feed",
    ),
]
