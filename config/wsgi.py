import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Import the URL configuration, and with it every view and serializer, while the worker
# starts rather than in the first request it serves (which took 150 ms longer).
get_resolver().url_patterns  # noqa: B018 (the access imports it)
