from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "imheval.web.organisations"
    label = "organisations"
    verbose_name = "Organisations and audit"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from imheval.web.organisations import audit, backends

        audit.connect()
        user_login_failed.connect(backends.count_failure, dispatch_uid="imheval-lockout-count")
        user_logged_in.connect(backends.forget_failures, dispatch_uid="imheval-lockout-clear")
