"""Routes of the workforce app's offer pages (filled in by the part that owns them)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
