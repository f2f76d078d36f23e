"""The list envelope of API.md: {"next", "previous", "results"}."""

from rest_framework.pagination import CursorPagination


class ClinicCursorPagination(CursorPagination):
    """Cursor pages cost the same on page 1 and page 1,000 and need no COUNT(*).

    Views set ``ordering`` to a stable order ending in a unique field.
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
