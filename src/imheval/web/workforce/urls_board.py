"""Route of the board pack page (a POST starts the pack's job)."""

from django.urls import URLPattern, path

from imheval.web.workforce import board_views

urlpatterns: list[URLPattern] = [
    path("o/<slug:org>/workforce/board-pack/", board_views.board_pack, name="board_pack"),
]
