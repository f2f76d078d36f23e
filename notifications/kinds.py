"""The registry of message kinds. Each app registers its own in ``AppConfig.ready()``:

- which kinds (``Kind`` values) a registration covers;
- ``related``: what delivery loads with each row (``select_related`` paths), so a batch
  renders in a fixed number of queries;
- ``facts(rows)``: what the send-time checks and texts of a batch of these rows need,
  read once per batch;
- ``obsolete(row, facts)``: why a due message is no longer wanted, or "" to send it;
- ``context(row, facts)``: the template context of its text, which lives in the
  registering app's ``templates/notifications/<kind>.<language>.txt``;
- ``secret_context(row, facts)``: for a text that carries a secret (an invitation or
  reset token): what only the copy handed to the channel gets. The outbox keeps the text
  rendered without it, so no staff view (API, admin) and no backup ever holds the secret;
- ``quiet_hours``: False for a message the patient has just asked for (it goes at once,
  night or day);
- ``front_desk_may_see``: administrative messages the front desk may read.

Who receives a message and when is decided by the registering app, which writes outbox
rows through ``notifications.services`` (``notify_patient``, ``notify_staff``). The outbox
itself knows no domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from notifications.models import Notification


def _no_facts(rows: list[Notification]) -> dict:
    return {}


def _always_wanted(row: Notification, facts: dict) -> str:
    return ""


def _no_context(row: Notification, facts: dict) -> dict:
    return {}


@dataclass(frozen=True)
class MessageKinds:
    kinds: tuple[str, ...]
    related: tuple[str, ...] = ()
    facts: Callable[[list[Notification]], dict] = _no_facts
    obsolete: Callable[[Notification, dict], str] = _always_wanted
    context: Callable[[Notification, dict], dict] = _no_context
    secret_context: Callable[[Notification, dict], dict] | None = None
    quiet_hours: bool = True
    front_desk_may_see: bool = False
    name: str = field(default="", compare=False)


_registry: dict[str, MessageKinds] = {}


def register(kinds: MessageKinds) -> None:
    """Register message kinds; registering the same kind twice from elsewhere is a bug."""
    for kind in kinds.kinds:
        known = _registry.get(kind)
        if known is not None and known != kinds:
            raise ValueError(f"Message kind {kind} is registered twice.")
        _registry[kind] = kinds


def registration_of(kind: str) -> MessageKinds:
    """The registration of ``kind``; a kind nobody registered is sent as it is."""
    return _registry.get(kind) or MessageKinds(kinds=(kind,))


def related_paths() -> list[str]:
    """Every ``select_related`` path the registered kinds ask for, in a stable order."""
    return sorted({path for kinds in _registry.values() for path in kinds.related})


def batch_facts(rows: Iterable[Notification]) -> dict[MessageKinds, dict]:
    """The facts of each registration present in ``rows``, read once per batch."""
    by_registration: dict[MessageKinds, list[Notification]] = {}
    for row in rows:
        by_registration.setdefault(registration_of(row.kind), []).append(row)
    return {kinds: kinds.facts(group) for kinds, group in by_registration.items()}


def front_desk_kinds() -> list[str]:
    """Kinds registered as administrative: the front desk may read them."""
    return sorted(kind for kind, kinds in _registry.items() if kinds.front_desk_may_see)
