from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "imheval.web.workforce"
    label = "workforce"
    verbose_name = "Workforce coverage"
