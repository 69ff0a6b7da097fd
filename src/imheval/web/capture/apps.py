from django.apps import AppConfig


class CaptureConfig(AppConfig):
    name = "imheval.web.capture"
    label = "capture"
    verbose_name = "Capture"
