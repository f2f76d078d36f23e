"""Rate limits for the whole API: per signed-in user and per client address, counted in the
``rate_limits`` cache: the shared cache server sign-in throttling uses (Redis, Memcached), so
every gunicorn worker sees the same count. Over the limit is 429 problem details with
``Retry-After``. The rates are ``API_RATE_USER`` / ``API_RATE_ADDRESS``.

DRF's own throttles keep a list of every request time per client (a read and a write of
that whole list on each request); a counter per fixed window is one atomic increment.
"""

from __future__ import annotations

import logging
import math
import time

from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from clinic.api.addresses import client_address

logger = logging.getLogger(__name__)

store = ConnectionProxy(caches, "rate_limits")


class WindowRateThrottle(SimpleRateThrottle):
    """At most ``num_requests`` per window of ``duration`` seconds per cache key."""

    scope: str

    def __init__(self) -> None:
        self.wait_seconds: float | None = None
        super().__init__()

    def get_rate(self) -> str | None:
        # Read at request time, not import time, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        ident = self.get_cache_key(request, view)
        if ident is None:
            return True
        now = time.time()
        window = int(now // self.duration)
        key = f"throttle:{self.scope}:{ident}:{window}"
        try:
            store.add(key, 0, timeout=self.duration + 1)
            count = store.incr(key)
        except Exception as exc:  # noqa: BLE001 - a store outage must not lock everyone out
            logger.warning("Rate limit store unavailable (%s); request allowed.", exc)
            return True
        if count > self.num_requests:
            self.wait_seconds = (window + 1) * self.duration - now
            return False
        return True

    def wait(self) -> float | None:
        return None if self.wait_seconds is None else max(1, math.ceil(self.wait_seconds))


class UserRateThrottle(WindowRateThrottle):
    """Per signed-in user, wherever they come from."""

    scope = "user"

    def get_cache_key(self, request, view) -> str | None:
        user = request.user
        return str(user.pk) if user and user.is_authenticated else None


class AddressRateThrottle(WindowRateThrottle):
    """Per client address (clinic.api.addresses: the proxy's ``X-Forwarded-For`` entry
    when ``NUM_PROXIES`` says how many proxies to trust), signed in or not."""

    scope = "address"

    def get_cache_key(self, request, view) -> str | None:
        return client_address(request)
