from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "imheval.web.tasks"
    label = "jobs"
    verbose_name = "Background jobs"
