"""The list envelope of API.md: {"next", "previous", "results"}."""

from rest_framework.pagination import CursorPagination


class ClinicCursorPagination(CursorPagination):
    """Cursor pages cost the same on page 1 and page 1,000 and need no COUNT(*).

    The order is the view's ``ordering`` (a field or a tuple of fields, ending in a unique
    one so the cursor is stable); DRF's own paginator would ignore it without an ordering
    filter backend.
    """

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)
