"""WSGI entry point (gunicorn creditportal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditportal.settings")
application = get_wsgi_application()
