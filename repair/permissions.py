"""The repair app's model permissions, as data (see ``creditportal.permissions``)."""

from __future__ import annotations

from creditportal.permissions import PermissionEnum


class RepairPermission(PermissionEnum):
    VIEW_VERIFICATIONCODE = "repair.view_verificationcode"


# What each role may do in the repair app: supervisors and administrators see when
# citizens asked for a one-time code and whether it was used (never the code).
ROLE_MODEL_PERMISSIONS = {
    "supervisor": [RepairPermission.VIEW_VERIFICATIONCODE],
    "administrator": [RepairPermission.VIEW_VERIFICATIONCODE],
}
