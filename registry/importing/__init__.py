"""Bulk import of credit records from CSV/XLSX files (issue 3).

* :mod:`.reading` - files, encodings, headers, cell normalisation;
* :mod:`.types` - what the engine, the stages and the messages share (row error,
  result, stage columns, record fields, the ``Stage`` protocol);
* :mod:`.permissions` - the one permission check for an import;
* :mod:`.engine` - validation of every row, then all-or-nothing writes with history;
* :mod:`.pg` / :mod:`.memory` - the PostgreSQL (COPY + set-based SQL) and portable stages;
* :mod:`.jobs` - ``ImportJob`` services (create, check, import, rerun) used by the
  admin, the ``import_records`` command and the Celery task.
"""

from .engine import import_records
from .types import ImportResult, RowError

__all__ = ["ImportResult", "RowError", "import_records"]
