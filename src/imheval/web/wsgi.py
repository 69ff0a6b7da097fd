"""WSGI entry point for gunicorn (``imheval serve``) or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "imheval.web.settings")

application = get_wsgi_application()
