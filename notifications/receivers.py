"""What the outbox does on events of the core: after a restore from a backup, messages due
before it are checked against their channel before they go out."""

from __future__ import annotations

from django.dispatch import receiver

from clinic import events
from notifications.services import notifications_restored


@receiver(events.database_restored, dispatch_uid="notifications.database_restored")
def database_restored(sender, **kwargs) -> None:
    notifications_restored()
