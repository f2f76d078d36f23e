"""Message kinds that other apps add to the outbox, and what the engine must know of them.

An app registers its kinds in ``AppConfig.ready()``; the engine then asks the registry for
the template context, whether a due message is still wanted, whether it waits out the quiet
hours, whether the front desk may see it, and whether its text holds a secret (then the
outbox keeps a copy with the secret left out, and only the channel gets the real one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MessageKind:
    code: str
    # (row, redact) -> template context; ``redact`` leaves any secret out.
    context: Callable[..., dict]
    # row -> why the message must not go out any more, or "".
    obsolete: Callable[..., str] = lambda row: ""
    # A message the recipient has just asked for (a reset link) does not wait until 08:00.
    quiet_hours: bool = True
    front_desk_may_see: bool = False
    holds_secret: bool = False


_KINDS: dict[str, MessageKind] = {}


def register(kind: MessageKind) -> None:
    _KINDS[kind.code] = kind


def registered(code: str) -> MessageKind | None:
    return _KINDS.get(code)


def front_desk_kinds() -> list[str]:
    return [code for code, kind in _KINDS.items() if kind.front_desk_may_see]
