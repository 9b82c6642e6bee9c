"""The error report as CSV (UTF-8 with BOM, so Excel opens it in Chinese)."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

# Cells starting with these would be read as formulas by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def errors_csv(errors: Iterable[dict]) -> bytes:
    """``errors`` as dicts with row, column, value (already masked), message."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
    for error in errors:
        writer.writerow(
            [error.get("row") or "", safe_cell(error.get("column")), safe_cell(error.get("value")),
             safe_cell(error.get("message"))]
        )  # fmt: skip
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
