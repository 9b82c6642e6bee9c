"""Logging filter that masks anything shaped like a resident ID number."""

import logging

from .identifiers import mask_ids_in_text


class MaskIdentifiersFilter(logging.Filter):
    """Rewrites each record's message (with its arguments merged in) and its
    exception and stack text so that no ID number, however written (spaces,
    dashes, full-width digits, a lower-case x, 15 digits, URL-encoded), reaches
    a handler unmasked. Attach it to every handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template and the arguments
            message = f"{record.msg} {record.args!r}" if record.args else str(record.msg)
        masked = mask_ids_in_text(message)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        # A traceback can carry values (an IntegrityError's key, a local in a
        # message): format it here, masked, so the handler's formatter reuses it.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_ids_in_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_ids_in_text(record.stack_info)
        return True
