"""Masked contact details, for departments that see a person through their records.

A person is registered by one department; other departments that hold a record
of the person see the contact details masked (and may replace them), never in
full: ``13812345678`` -> ``138****5678``, ``alice@example.cn`` ->
``a***@example.cn``, an address cut to its first part.
"""

from __future__ import annotations

import re

MASK = "****"
ADDRESS_KEEP = 6  # characters of an address without separators (about a city: 云南省昆明市)
_ADDRESS_SEPARATOR = re.compile(r"[\s,，、;；]+")


def mask_phone(value: str | None) -> str:
    """``13812345678`` -> ``138****5678``; short numbers keep only their last two digits."""
    digits = (value or "").strip()
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + MASK + digits[-4:]
    if len(digits) > 4:
        return MASK + digits[-2:]
    return MASK


def mask_email(value: str | None) -> str:
    """``alice@example.cn`` -> ``a***@example.cn``."""
    value = (value or "").strip()
    if not value:
        return ""
    local, at, domain = value.rpartition("@")
    if not at:
        return value[:1] + "***"
    return local[:1] + "***@" + domain


def mask_address(value: str | None) -> str:
    """The first part of an address (up to the first separator, at most
    ``ADDRESS_KEEP`` characters), followed by ``…``."""
    value = (value or "").strip()
    if not value:
        return ""
    first = _ADDRESS_SEPARATOR.split(value, maxsplit=1)[0][:ADDRESS_KEEP]
    return first + "…"


CONTACT_MASKS = {"phone": mask_phone, "email": mask_email, "address": mask_address}
