from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "imheval.web.workspace"
    label = "workspace"
    verbose_name = "Workspace"

    def ready(self) -> None:
        from django.core import checks

        from imheval.web.paths import check_data_dir

        checks.register(check_data_dir, checks.Tags.security)
