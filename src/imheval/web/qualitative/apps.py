from django.apps import AppConfig


class QualitativeConfig(AppConfig):
    name = "imheval.web.qualitative"
    label = "qualitative"
    verbose_name = "Focus groups and thematic analysis"
