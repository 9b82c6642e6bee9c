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


# A Chinese address begins with its province and prefecture (云南省昆明市, 云南省红河哈尼族彝族自治州,
# 北京市): that much says where a person lives without saying where to find them.
_REGION_PREFIX = re.compile(r"^(?:.{2,8}?(?:省|自治区))?(?:.{2,10}?(?:市|自治州|州|地区|盟))?")


def mask_address(value: str | None) -> str:
    """The first part of an address, followed by ``…``: its province and
    prefecture when it begins with them, otherwise up to the first separator
    (at most ``ADDRESS_KEEP`` characters)."""
    value = (value or "").strip()
    if not value:
        return ""
    region = _REGION_PREFIX.match(value).group(0)
    if region and len(region) < len(value):
        return region + "…"
    first = _ADDRESS_SEPARATOR.split(value, maxsplit=1)[0]
    return first[: max(1, min(ADDRESS_KEEP, len(value) // 2))] + "…"


CONTACT_MASKS = {"phone": mask_phone, "email": mask_email, "address": mask_address}
