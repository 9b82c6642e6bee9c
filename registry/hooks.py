"""Record lifecycle hooks: how the apps built on the registry follow its records.

The registry announces what happens to credit records; other apps register
handlers when they start (in their ``AppConfig.ready``), after Wagtail's
``hooks.register`` / ``get_hooks``::

    from registry import hooks

    @hooks.register(hooks.RecordEvent.WITHDRAWN)
    def end_list_entries(call: hooks.HookCall) -> None:
        ...  # call.record_ids, call.acting_user, call.reason, call.on

Every writer fires them, inside its own transaction, once per statement
(set-based: a handler gets the set of affected record ids, never one call per
row): the service functions, both stages of the import and the expiry. A
handler runs in that transaction, so what it writes commits with the change,
and a handler that raises rolls the whole write back (the record does not
change either). The registry imports nobody: the arrow points from the apps
to here.

Events:

* ``WITHDRAWN``: the records stopped being displayable or shareable (repaired,
  revoked, expired, or shielded by a display hold). Things derived from a
  record end or hide with it (a blacklist entry resting on a repaired record).
* ``RESTORED``: the records may be displayed again (the last display hold on
  them closed).
* ``CHANGED``: what the records say changed in substance (an approved
  correction, an import that updated them, an objection upheld).
"""

from __future__ import annotations

import datetime
import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction


class RecordEvent(str, enum.Enum):
    WITHDRAWN = "withdrawn"
    RESTORED = "restored"
    CHANGED = "changed"


@dataclass(frozen=True)
class HookCall:
    """What a handler receives: the event, the records it concerns, who caused it and why."""

    event: RecordEvent
    record_ids: frozenset[int]
    acting_user: object
    reason: str
    on: datetime.date | None = None  # the day it takes effect (expiry: the run's day)
    source: str = ""  # which writer: "services", "import", "expiry", "holds", ...


Handler = Callable[[HookCall], None]
_registry: dict[RecordEvent, list[tuple[int, Handler]]] = defaultdict(list)


def register(event: RecordEvent, fn: Handler | None = None, *, order: int = 0):
    """Register ``fn`` for ``event`` (usable as ``@register(event)`` or
    ``register(event, fn)``). Handlers run by ``order``, then registration order.
    Registering the same function twice is a no-op."""
    event = RecordEvent(event)

    def _register(handler: Handler) -> Handler:
        if all(existing is not handler for _order, existing in _registry[event]):
            _registry[event].append((order, handler))
            _registry[event].sort(key=lambda pair: pair[0])  # stable: same order keeps registration order
        return handler

    return _register(fn) if fn is not None else _register


def unregister(event: RecordEvent, fn: Handler) -> None:
    event = RecordEvent(event)
    _registry[event] = [(order, handler) for order, handler in _registry[event] if handler is not fn]


def get_hooks(event: RecordEvent) -> list[Handler]:
    return [handler for _order, handler in _registry[RecordEvent(event)]]


@contextmanager
def register_temporarily(event: RecordEvent, fn: Handler, *, order: int = 0) -> Iterator[Handler]:
    """For tests: ``fn`` is registered inside the ``with`` block only."""
    register(event, fn, order=order)
    try:
        yield fn
    finally:
        unregister(event, fn)


def fire(
    event: RecordEvent,
    record_ids: Iterable[int],
    *,
    acting_user,
    reason: str,
    on: datetime.date | None = None,
    source: str = "",
) -> HookCall | None:
    """Call every handler of ``event`` once with the set of ``record_ids``.

    Must run inside the writer's transaction (``transaction.atomic``): the
    handlers' writes commit or roll back with the change they follow. Nothing
    happens for an empty set.
    """
    ids = frozenset(int(pk) for pk in record_ids)
    if not ids:
        return None
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("registry.hooks.fire must run inside the writer's transaction")
    call = HookCall(event=RecordEvent(event), record_ids=ids, acting_user=acting_user, reason=reason, on=on,
                    source=source)  # fmt: skip
    for handler in get_hooks(event):
        handler(call)
    return call
