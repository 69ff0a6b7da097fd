from django.apps import AppConfig


class PaperConfig(AppConfig):
    name = "imheval.web.paper"
    label = "paper"
    verbose_name = "Paper forms and import"
