import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
_django = get_wsgi_application()


def application(environ, start_response):
    """Django, and a ``Connection: close`` from it really closes the connection.

    gunicorn drops hop-by-hop headers an application sets and decides keep-alive itself; its
    ``start_response`` is a method of its response, whose ``force_close`` makes it answer
    ``Connection: close`` and close. Django's runserver honours the header by itself.
    """

    def start(status, headers, exc_info=None):
        if any(n.lower() == "connection" and v.lower() == "close" for n, v in headers):
            force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
            if force_close is not None:
                force_close()
        return start_response(status, headers, exc_info)

    return _django(environ, start)


# Import the URL configuration, and with it every view and serializer, while the worker
# starts rather than in the first request it serves (which took 150 ms longer).
get_resolver().url_patterns  # noqa: B018 (the access imports it)
