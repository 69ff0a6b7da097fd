from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "imheval.web.network"
    label = "network"
    verbose_name = "Network groups"

    def ready(self) -> None:
        from imheval.web.network import figures

        figures.connect()
