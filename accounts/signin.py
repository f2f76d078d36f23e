"""One sign-in policy for every door into an account.

A door is anywhere a secret of an account is checked: the API's sign-in, the staff site's
sign-in, the second step of either (an authenticator or recovery code), the password change
(its ``old_password``) and the reset confirm (its token). Every door asks ``attempt_begin``
before it checks the secret, and tells the attempt how it ended:

- **per client address**, at most ``LOGIN_THROTTLE_RATE`` attempts per window over all
  usernames and doors (one address cannot guess its way through many accounts);
- **per username and address**, after ``LOGIN_MAX_FAILURES`` failed attempts that pair is
  locked for ``LOGIN_LOCKOUT_SECONDS`` (the right secret included). Not per username alone:
  then anyone could lock a patient out of the app from elsewhere.

An attempt is counted *before* its secret is checked, with the store's atomic ``add`` and
``incr`` (Redis's INCR; clinic.cache.AtomicDatabaseCache without a cache server), so parallel
guesses cannot all pass the check before any of them is counted: at most
``LOGIN_MAX_FAILURES`` secrets are checked per lockout. A success clears the pair's count;
a password accepted while a second factor is still to come does not (else the password
would reset the count of the codes guessed after it).

Each success, failure and lockout is an authentication event (accounts.models.AuthEvent) with
the door, the client address (clinic.api.addresses) and the username tried; a refused second
factor is its own event (``two_factor_failed``). A refusal under the rate or the lockout is
logged once per window or lockout, not once per request.

django-axes covers the same ground (lockout by username and address, a shared store, an event
per attempt); it is not used because it counts after the check (its lockout is not atomic)
and knows only the doors that call ``authenticate()``.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.connection import ConnectionProxy
from django.utils.translation import gettext
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.codes import AccountErrorCode
from accounts.models import AuthEventKind
from accounts.services import (
    auth_event_record,
    password_change,
    password_reset_confirm,
    reset_token_account,
)
from clinic.errors import DomainError, InvalidInput
from clinic.models import User

# Every gunicorn worker must see the same counts: see CACHES["login"] in settings.
store = ConnectionProxy(caches, "login")


class Door(TextChoices):
    API_SIGN_IN = "api_sign_in", "API sign-in"
    STAFF_SIGN_IN = "staff_sign_in", "Staff site sign-in"
    API_TWO_FACTOR = "api_two_factor", "API sign-in, second step"
    STAFF_TWO_FACTOR = "staff_two_factor", "Staff site sign-in, second step"
    PASSWORD_CHANGE = "password_change", "Password change (API)"
    STAFF_PASSWORD_CHANGE = "staff_password_change", "Password change (staff site)"
    PASSWORD_RESET_CONFIRM = "password_reset_confirm", "Password reset confirm"


class SignInRefused(DomainError):
    """Too many attempts: 429 with Retry-After (``extra["retry_after"]``, seconds)."""

    status_code = 429
    code = "throttled"
    title = "Too Many Requests"


def address_rate() -> tuple[int, int]:
    """(attempts, seconds) per client address over every door: LOGIN_THROTTLE_RATE."""
    allowed, seconds = SimpleRateThrottle.parse_rate(
        None, api_settings.DEFAULT_THROTTLE_RATES["login"]
    )
    return allowed, seconds


def _digest(*parts: str) -> str:
    # Hashed: a username may hold spaces or be longer than memcached accepts in a key.
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _count(key: str, timeout: int) -> int:
    """Atomically add one to ``key`` (created with ``timeout`` if missing)."""
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.add(key, 0, timeout=timeout)
        return store.incr(key)


def _user_named(username: str) -> User | None:
    return User.objects.filter(username__iexact=username.strip()).first() if username else None


@dataclass
class Attempt:
    """One attempt at a door; say how it ended with ``failed`` or ``succeeded``."""

    door: str
    username: str
    address: str | None
    user: User | None = None
    failures: int = 0
    _keys: tuple[str, str] | None = field(default=None, repr=False)

    def _event(self, kind: str, user: User | None = None, **detail) -> None:
        auth_event_record(
            kind=kind,
            user=user or self.user,
            address=self.address,
            door=str(self.door),
            username=self.username[:150],
            **detail,
        )

    def failed(self, *, user: User | None = None, record: bool = True, **detail) -> None:
        """The secret was wrong: an event (unless the door wrote its own, as a refused
        second factor does), and the lockout when this was the last try."""
        user = user or self.user or _user_named(self.username)
        if record:
            self._event(AuthEventKind.SIGN_IN_FAILED, user, **detail)
        if self._keys and self.failures >= settings.LOGIN_MAX_FAILURES:
            _lock(self._keys, attempt=self, user=user)

    def succeeded(self, *, user: User, complete: bool = True, record: bool = True) -> None:
        """The secret was right; ``complete=False`` while a second factor is still due,
        ``record=False`` when the door refused something else (a too weak new password)."""
        if self._keys and complete:
            store.delete(self._keys[0])
        if not record:
            return
        self._event(
            AuthEventKind.SIGN_IN_SUCCEEDED, user, **({} if complete else {"second_step": True})
        )


def _lock(keys: tuple[str, str], *, attempt: Attempt, user: User | None) -> None:
    lockout = settings.LOGIN_LOCKOUT_SECONDS
    # The count is left to expire (it started before the lock, so it ends before it):
    # deleting it would let an attempt already past the lock's check start again at one.
    if store.add(keys[1], time.time() + lockout, timeout=lockout):
        attempt._event(AuthEventKind.SIGN_IN_LOCKED_OUT, user, reason="account", seconds=lockout)


def attempt_begin(
    *, door: str, username: str = "", address: str | None, user: User | None = None
) -> Attempt:
    """Count an attempt at ``door`` before its secret is checked. SignInRefused when the
    address is over its rate, or the username is locked out at this address."""
    username = (user.username if user is not None else str(username or "")).strip()
    attempt = Attempt(door=door, username=username, address=address, user=user)
    allowed, seconds = address_rate()
    now = time.time()
    window = int(now // seconds)
    made = _count(f"sign-in-rate:{_digest(address or '-')}:{window}", seconds + 1)
    if made > allowed:
        if made == allowed + 1:
            attempt._event(
                AuthEventKind.SIGN_IN_LOCKED_OUT, _user_named(username), reason="address"
            )
        raise SignInRefused(
            gettext("Too many sign-in attempts from this address; try again later."),
            extra={"retry_after": max(1, math.ceil((window + 1) * seconds - now))},
        )
    if not username:
        return attempt
    digest = _digest(username.lower(), address or "-")
    keys = (f"login-failures:{digest}", f"login-locked:{digest}")
    attempt._keys = keys
    locked_until = store.get(keys[1])
    if locked_until is None:
        attempt.failures = _count(keys[0], settings.LOGIN_LOCKOUT_SECONDS)
        if attempt.failures <= settings.LOGIN_MAX_FAILURES:
            return attempt
        # Parallel attempts beyond the limit: refused unchecked; the first locks.
        _lock(keys, attempt=attempt, user=user or _user_named(username))
        locked_until = store.get(keys[1]) or now + settings.LOGIN_LOCKOUT_SECONDS
    raise SignInRefused(
        gettext("Too many failed sign-ins for this account; try again later."),
        extra={"retry_after": max(1, math.ceil(locked_until - now))},
    )


# --- the doors that are not a sign-in form ----------------------------------------------------


def password_change_guarded(
    *, door: str, user: User, old_password: str, new_password: str, address: str | None
) -> dict[str, str]:
    """accounts.services.password_change behind the policy: a wrong ``old_password`` counts
    as a failed sign-in (a stolen access token must not make it a guessing oracle)."""
    attempt = attempt_begin(door=door, user=user, address=address)
    try:
        tokens = password_change(
            user=user, old_password=old_password, new_password=new_password, address=address
        )
    except InvalidInput as exc:
        if exc.code == AccountErrorCode.WRONG_PASSWORD:
            attempt.failed()
        raise
    except ValidationError:
        attempt.succeeded(user=user, record=False)  # the old one was right
        raise
    attempt.succeeded(user=user)
    return tokens


def password_reset_confirm_guarded(*, token: str, password: str, address: str | None) -> User:
    """accounts.services.password_reset_confirm behind the policy: the account the token
    names (if any) and the address share the lockout and rate of every other door."""
    account = reset_token_account(token)
    attempt = attempt_begin(door=Door.PASSWORD_RESET_CONFIRM, user=account, address=address)
    try:
        user = password_reset_confirm(token=token, password=password, address=address)
    except InvalidInput as exc:
        if exc.code == AccountErrorCode.PASSWORD_RESET_INVALID:
            attempt.failed()
        raise
    except ValidationError:
        attempt.succeeded(user=account, record=False)  # the token was right
        raise
    attempt.succeeded(user=user)
    return user
