"""The list envelope of API.md: {"next", "previous", "results"}."""

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

EXAMPLE_LIST_URL = "https://clinic.example/api/v1/appointments/"
NOT_A_CURSOR = "Not a cursor from this list; follow next/previous."


class StrictPageSize:
    """``?page_size=`` is a whole number from 1 to the maximum, or a 400.

    DRF's paginators fall back to the default size on anything else, so a client that
    sends ``page_size=null`` or ``page_size=10000`` never learns its request was ignored.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        f"A whole number from 1 to {self.max_page_size}, or leave it out."
                    ]
                },
                code="invalid",
            )
        return int(raw)

    def page_size_schema(self) -> dict:
        return {
            "name": self.page_size_query_param,
            "required": False,
            "in": "query",
            "description": f"Rows per page (default {self.page_size}).",
            "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
        }


class ClinicCursorPagination(StrictPageSize, CursorPagination):
    """Cursor pages cost the same on page 1 and page 1,000 and need no COUNT(*).

    The order is the view's ``ordering`` (a field or a tuple of fields, ending in a unique
    one so the cursor is stable); DRF's own paginator would ignore it without an ordering
    filter backend.
    """

    ordering = "-id"

    def decode_cursor(self, request):
        # A cursor the service did not write is bad input (400), not a missing page (404);
        # so is an empty one, which DRF would read as the first page.
        if request.query_params.get(self.cursor_query_param) == "":
            raise ValidationError({self.cursor_query_param: [NOT_A_CURSOR]})
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [NOT_A_CURSOR]}) from None

    def get_ordering(self, request, queryset, view):
        ordering = getattr(view, "ordering", None) or self.ordering
        return (ordering,) if isinstance(ordering, str) else tuple(ordering)

    def get_schema_operation_parameters(self, view):
        cursor = super().get_schema_operation_parameters(view)[0]
        return [cursor, self.page_size_schema()]

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "example": f"{EXAMPLE_LIST_URL}?cursor=cD0yMDI3LTAzLTI4"},
                "previous": {**link, "example": None},
                "results": schema,
            },
        }


class CountedPagePagination(StrictPageSize, PageNumberPagination):
    """Pages by number, with a count: for short lists ordered by something computed."""

    def paginate_queryset(self, queryset, request, view=None):
        # A page number that is no number, or past the last page, is bad input (400).
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            raise ValidationError(
                {self.page_query_param: ["A page number from 1 to the last page."]}
            ) from None

    def get_schema_operation_parameters(self, view):
        page = super().get_schema_operation_parameters(view)[0]
        page["schema"] = {"type": "integer", "minimum": 1}
        return [page, self.page_size_schema()]

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "nullable": True, "format": "uri"}
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "example": 12},
                "next": {**link, "example": f"{EXAMPLE_LIST_URL}?page=2"},
                "previous": {**link, "example": None},
                "results": schema,
            },
        }
