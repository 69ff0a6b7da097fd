from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "imheval.web.organisations"
    label = "organisations"
    verbose_name = "Organisations and audit"

    def ready(self) -> None:
        from imheval.web.organisations import audit

        audit.connect()
