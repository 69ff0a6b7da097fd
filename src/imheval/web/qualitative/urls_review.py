"""Routes of the second review, the coders' comparison, REFI-QDA exchange and the outputs."""

from django.urls import URLPattern, path

from imheval.web.qualitative import comparison, exchange, outputs, review

S = "o/<slug:org>/qualitative/<int:study>/"

urlpatterns: list[URLPattern] = [
    path(S + "review/", review.review, name="review"),
    path(S + "review/log/", review.review_log, name="review_log"),
    path(S + "review/<int:code>/", review.review_theme, name="review_theme"),
    path(S + "review/decisions/<int:review>/", review.review_respond, name="review_respond"),
    path(S + "comparison/", comparison.comparison, name="comparison"),
    path(S + "comparison/open/", comparison.comparison_open, name="comparison_open"),
    path(S + "exchange/", exchange.exchange, name="exchange"),
    path(S + "exchange/confirm/", exchange.exchange_confirm, name="exchange_confirm"),
    path(S + "exchange/export/", exchange.exchange_export, name="exchange_export"),
    path(S + "outputs/", outputs.outputs, name="outputs"),
    path(S + "outputs/download/", outputs.outputs_export, name="outputs_export"),
    path(S + "joint/", outputs.joint, name="joint"),
    path(S + "joint/unused/", outputs.joint_unused, name="joint_unused"),
]
