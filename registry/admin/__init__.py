"""Caseworkers' pages for the registry.

Every page is scoped through ``creditportal.access`` (see ``ScopedAdmin``);
every save goes through ``registry.services`` with the form's reason; opening
a person or a record writes an access-log row; ID numbers are masked unless
the user reveals one, stating a purpose.

One module per noun (departments, catalogue, persons, records, grants,
access log); the import pages live in ``registry.importing.admin``.
"""

from django.contrib import admin

from ..importing.admin import ImportJob, ImportJobAdmin
from . import (  # noqa: F401 (registers)
    access_log,
    calendar,
    catalogue,
    common,
    corrections,
    departments,
    grants,
    holds,
    persons,
    records,
    staff,
)

admin.site.register(ImportJob, ImportJobAdmin)

from ..notifications import admin as notifications_admin  # noqa: E402,F401 (registers)
