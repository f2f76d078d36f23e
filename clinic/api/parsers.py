"""Request body parsing: JSON, and nothing a database column cannot hold."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


class ClinicJSONParser(JSONParser):
    """JSON bodies without NUL characters: valid JSON, but no text a person writes holds
    one, and PostgreSQL refuses them in every text column (a 500 instead of a 400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError("Text in the request body may not contain NUL (\\u0000) characters.")
        return data
