from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "imheval.web.workspace"
    label = "workspace"
    verbose_name = "Workspace"
