"""The registry's system-written reasons and log details, as sentences (see ``creditportal.system_text``).

The stored forms stay as they are written (``import x.csv (job 2)``,
``display period ended``, ``format=xlsx; rows=37; full_id_numbers=no``);
these patterns make them read as sentences in the reader's language.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from creditportal.system_text import (
    label_renderer,
    register_formatter,
    register_masker,
    register_pattern,
    register_sentences,
)

from .choices import AccessAction, RecordStatus, RevealPurpose
from .identifiers import mask_ids_in_text


def _mode(value: str) -> str:
    return gettext("Check") if value == "check" else gettext("Import")


def _job_state(value: str) -> str:
    from .models import ImportJob

    return label_renderer(ImportJob.State)(value)


EXPORT_DETAIL = re.compile(
    r"format=(?P<fmt>\w+); rows=(?P<rows>\d+); full_id_numbers=(?P<full>yes|no)"
    r"(?: \((?P<full_rows>\d+) rows\))?(?P<for_import>; columns=import)?"
)


def _export_detail(text: str) -> str | None:
    match = EXPORT_DETAIL.fullmatch(text)
    if match is None:
        return None
    parts = [
        gettext("%(format)s file, %(rows)s rows") % {"format": match["fmt"].upper(), "rows": match["rows"]},
    ]
    if match["full"] == "yes":
        if match["full_rows"]:
            parts.append(gettext("full ID numbers in %(rows)s rows") % {"rows": match["full_rows"]})
        else:
            parts.append(gettext("with full ID numbers"))
    else:
        parts.append(gettext("ID numbers masked"))
    if match["for_import"]:
        parts.append(gettext("in the import template's columns"))
    return gettext(", ").join(parts)


def register() -> None:
    """Called once from ``RegistryConfig.ready``."""
    # Every reason, purpose and detail, typed or written, is kept and shown with
    # its ID numbers masked, however they were written.
    register_masker(mask_ids_in_text)
    register_sentences(
        gettext_noop("display period ended"),
        gettext_noop("decision number normalised (full-width digits, surrounding spaces)"),
        gettext_noop("demo data"),
        gettext_noop("role granted"),
        gettext_noop("Opened in the admin"),
        gettext_noop("Opened its history in the admin"),
        gettext_noop("Opened an earlier version in the admin"),
        gettext_noop("Search by ID number in the admin"),
    )
    register_sentences(
        gettext_noop("Adding a person"),
        gettext_noop("Adding a person in the admin"),
        gettext_noop("the ID number is already registered"),
    )
    # Choice labels stored as text (a reveal's purpose, log_access's default purpose).
    register_sentences(*[choice.label for choice in (*RevealPurpose, *AccessAction)])
    # Import jobs (registry.importing.jobs and ImportJob.history_reason).
    register_pattern(r"import (?P<file>.+) \(job (?P<job>\d+)\)", _("import %(file)s (job %(job)s)"))
    register_pattern(r"upload (?P<file>.+)", _("Upload %(file)s"))
    register_pattern(r"queued (?P<mode>check|import) (?P<file>.+)", _("%(mode)s queued: %(file)s"), mode=_mode)
    register_pattern(
        r"(?P<mode>check|import) (?P<file>.+): (?P<state>[^:]+)",
        _("%(mode)s %(file)s: %(state)s"),
        mode=_mode,
        state=_job_state,
    )
    register_pattern(r"(?P<mode>check|import) (?P<file>.+)", _("%(mode)s %(file)s"), mode=_mode)
    register_pattern(r"file deleted after (?P<days>\d+) days", _("File deleted after %(days)s days"))
    # The demo loader.
    register_pattern(
        r"demo data: status (?P<status>\w+)",
        _("Demo data: status %(status)s"),
        status=label_renderer(RecordStatus),
    )
    # Access-log details of an import's person matches.
    register_pattern(r"dry run", _("check only (nothing imported)"))
    register_pattern(r"import refused", _("import refused"))
    register_pattern(r"import", _("imported"))
    register_formatter(_export_detail)
    # The notification outbox (registry.notifications.services).
    register_sentences(
        gettext_noop("notification written with the step that causes it"),
        gettext_noop("sent"),
        gettext_noop("send failed, will be retried"),
        gettext_noop("send failed, no more attempts"),
    )
    register_pattern(r"notification #(?P<id>\d+)", _("notification #%(id)s"))
