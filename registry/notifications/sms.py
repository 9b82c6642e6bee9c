"""Text-message backends, chosen by ``settings.SMS_BACKEND`` (a dotted path).

The interface is one class with one method::

    class MySmsBackend:
        def send(self, phone: str, text: str) -> None:
            ...  # raise any exception when the message was not accepted

It is constructed once per send, without arguments (read your gateway's URL
and credentials from settings). Raising marks the attempt failed and the
notification is retried; returning means the gateway accepted the message.

Shipped here:

* ``LogSmsBackend`` (default): writes the message to the log (``registry.sms``),
  for development and the demo; the log masks ID numbers like every log line.
* ``LocmemSmsBackend``: keeps messages in ``LocmemSmsBackend.outbox`` (tests).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("registry.sms")


class LogSmsBackend:
    def send(self, phone: str, text: str) -> None:
        # The number masked like every contact shown to someone who need not know it.
        from registry.contacts import mask_phone

        logger.info("SMS to %s: %s", mask_phone(phone), text)


class LocmemSmsBackend:
    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        type(self).outbox.append((phone, text))


def get_backend():
    return import_string(settings.SMS_BACKEND)()
