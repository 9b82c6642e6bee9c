"""Notifications: an outbox of e-mails and text messages to citizens and staff.

A workflow step calls :func:`registry.notifications.services.notify` inside
its own transaction: the ``Notification`` row (recipient, channel, template,
language, the case it belongs to, its context) is written with the step, and
the send is scheduled for after the commit (``transaction.on_commit``). A
Celery task renders the template in the recipient's language and sends it,
retrying with exponential backoff; a beat job picks up rows a broker outage
left behind. A failed send never undoes the step: the step is committed
before anything is sent, and the notification stays pending (then failed).

ID numbers never leave the building in a notification: the context is masked
when it is written (and checked), the rendered text is masked again.

SMS goes through the backend named by ``settings.SMS_BACKEND`` (see
:mod:`registry.notifications.sms` for the interface).
"""
