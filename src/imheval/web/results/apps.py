from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "imheval.web.results"
    label = "results"
    verbose_name = "Results"
