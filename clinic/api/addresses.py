"""The one answer to "which address is this client at", for every part of the service.

Behind ``NUM_PROXIES`` trusted proxies (each appends the address it saw to
``X-Forwarded-For``), the client is the entry that many places from the end; anything the
client wrote before it is the client's own claim and is not believed. Without proxies, or
when the header is missing or not an address, it is the socket's peer (``REMOTE_ADDR``).

The sign-in lockout and rate, the password reset limits, the API's rate limits, the access
log and the authentication events all ask here.
"""

from __future__ import annotations

import ipaddress

from rest_framework.settings import api_settings


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_address(request) -> str | None:
    meta = getattr(request, "META", {})
    remote = _address(meta.get("REMOTE_ADDR"))
    proxies = api_settings.NUM_PROXIES or 0
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    entries = [entry for entry in forwarded.split(",") if entry.strip()]
    if not entries:
        return remote
    return _address(entries[-min(proxies, len(entries))]) or remote
