"""Channel backends: how a rendered message leaves the clinic.

A backend has ``send(message)`` and may have ``delivered(keys)``. ``send`` raises on
failure (the outbox retries). Every message carries its idempotency key, which a provider
can use to drop a repeat; ``delivered`` lets delivery ask, after a worker died mid-batch,
which of the in-doubt messages the provider already has, so those are not sent again.

Which backend serves a channel is a setting (``NOTIFICATION_CHANNEL_BACKENDS``, dotted
paths); ``NOTIFICATION_CHANNEL_BACKEND`` sends every channel to one backend (the file sink
in tests and the benchmark).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

logger = logging.getLogger("clinic.notifications")


@dataclass(frozen=True)
class OutgoingMessage:
    idempotency_key: str
    channel: str
    kind: str
    address: str
    subject: str
    body: str
    notification_id: int


class ChannelBackend:
    def send(self, message: OutgoingMessage) -> None:
        raise NotImplementedError

    def delivered(self, keys: list[str]) -> set[str] | None:
        """The keys the provider already has, or None when it cannot tell."""
        return None


class EmailBackend(ChannelBackend):
    """E-mail through Django's configured EMAIL_BACKEND (SMTP in production)."""

    def send(self, message: OutgoingMessage) -> None:
        if not message.address:
            raise ValueError("no e-mail address")
        EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.address],
            headers={"X-Idempotency-Key": message.idempotency_key},
        ).send(fail_silently=False)


class LogBackend(ChannelBackend):
    """Writes the message to the log: the default for SMS and push until a provider is set."""

    def send(self, message: OutgoingMessage) -> None:
        logger.info(
            "%s to %s [%s]: %s",
            message.channel,
            message.address,
            message.idempotency_key,
            message.subject,
        )


class InAppBackend(ChannelBackend):
    """The in-app inbox is the outbox row itself; sending only marks it visible as sent."""

    def send(self, message: OutgoingMessage) -> None:
        return None

    def delivered(self, keys: list[str]) -> set[str] | None:
        return set()


class FileSinkBackend(ChannelBackend):
    """Appends one JSON line per message to ``NOTIFICATION_SINK_PATH``; for tests and the
    benchmark, which count lines per idempotency key across processes."""

    def __init__(self) -> None:
        self.path = settings.NOTIFICATION_SINK_PATH
        self.delay = settings.NOTIFICATION_SINK_DELAY_MS / 1000

    def send(self, message: OutgoingMessage) -> None:
        if self.delay:
            time.sleep(self.delay)
        line = json.dumps(
            {
                "key": message.idempotency_key,
                "id": message.notification_id,
                "kind": message.kind,
                "channel": message.channel,
                "to": message.address,
                "subject": message.subject,
                "body": message.body,
                "at": time.time(),
                "pid": os.getpid(),
            }
        )
        # One write() of one line with O_APPEND: lines from several processes never mix.
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (line + "\n").encode())
        finally:
            os.close(fd)

    def delivered(self, keys: list[str]) -> set[str]:
        wanted = set(keys)
        found: set[str] = set()
        try:
            with open(self.path, encoding="utf-8") as sink:
                fcntl.flock(sink, fcntl.LOCK_SH)
                for line in sink:
                    try:
                        key = json.loads(line)["key"]
                    except (ValueError, KeyError):
                        continue
                    if key in wanted:
                        found.add(key)
        except FileNotFoundError:
            pass
        return found


# Where the channels lived before the outbox became its own app; such paths in a deployed
# environment (NOTIFICATION_SMS_BACKEND=...) keep working for one release.
_FORMER_PREFIX = "clinic.notifications."


def backend_for(channel: str) -> ChannelBackend:
    path = settings.NOTIFICATION_CHANNEL_BACKEND or settings.NOTIFICATION_CHANNEL_BACKENDS[channel]
    if path.startswith(_FORMER_PREFIX):
        path = "notifications." + path.removeprefix(_FORMER_PREFIX)
    return import_string(path)()
