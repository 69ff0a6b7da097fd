"""Network group pages, under /o/<organisation>/groups/ (the member's own page under /m/)."""

from django.urls import path  # noqa: F401

app_name = "network"

urlpatterns: list = []
