"""A finished bulk import for the demo (the admin's *Import jobs* page).

The demo caseworker re-imports a CSV made from their department's demo
records, through the same services as the admin (``registry.importing.jobs``):
the job ends *done* with every row *unchanged*, so the demo data (and the
tests that count it) stay exactly as the loader made them. Idempotent: once a
finished demo job exists, nothing is written.
"""

from __future__ import annotations

import csv
import io

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from registry.choices import Severity
from registry.importing import jobs
from registry.models import CreditRecord, Department, ImportJob

FILE_NAME = "demo-import.csv"
ERRORS_FILE_NAME = "demo-import-with-errors.csv"
DEPARTMENT = "YN-KM-SCJ"
USERNAME = "caseworker"
ROWS = 20
HEADER = ["姓名", "身份证号", "信息项编码", "决定文书号", "决定日期", "严重程度", "公示开始日期", "公示截止日期",
          "事实摘要", "法律依据"]  # fmt: skip
SEVERITY_WORDS = {Severity.MINOR: "轻微", Severity.GENERAL: "一般", Severity.SERIOUS: "严重"}


def demo_file(department: Department) -> bytes:
    """A CSV (UTF-8 with BOM, Chinese headers) of some of the department's records."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    records = CreditRecord.objects.filter(department=department).select_related("person", "catalog_item")
    for record in records.order_by("pk")[:ROWS]:
        writer.writerow([
            record.person.name, record.person.id_number, record.catalog_item.code, record.decision_no,
            record.decision_date.isoformat(), SEVERITY_WORDS[record.severity], record.display_from.isoformat(),
            record.display_until.isoformat(), record.summary, record.legal_basis,
        ])  # fmt: skip
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def demo_file_with_errors(department: Department) -> bytes:
    """Three of the department's records with mistakes, several in one row: the
    check lists them all at once and the job asks for a corrected file."""
    rows = list(csv.reader(io.StringIO(demo_file(department)[3:].decode("utf-8"))))[:4]
    if len(rows) < 4:
        return b""
    first, second, third = rows[1], rows[2], rows[3]
    first[0] = ""  # no name,
    first[1] = first[1][:-1] + ("0" if first[1][-1] != "0" else "1")  # a mistyped ID number
    first[4], first[5], first[6], first[7] = "2026-01-10", "一般", "2026-01-10", "2026-02-01"  # and 22 days
    second[5] = "很严重"  # no such severity
    third[2] = "XX-NONE-001"  # no such catalogue item
    third[3] = first[3]  # and the decision number of row 2 again
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def load_demo_import(loader) -> None:
    tally = loader.tallies.setdefault("import jobs", type(next(iter(loader.tallies.values())))())
    department = Department.objects.filter(code=DEPARTMENT).first()
    user = get_user_model().objects.filter(username=USERNAME).first()
    if department is None or user is None:
        return
    load_demo_invalid_import(loader, tally, department, user)
    if ImportJob.objects.filter(department=department, file_name=FILE_NAME, state=ImportJob.State.DONE).exists():
        tally.present += 1
        return
    data = demo_file(department)
    job = jobs.create_job(ContentFile(data, name=FILE_NAME), department=department, acting_user=user)
    job = jobs.run_job(job.pk, mode=jobs.CHECK, acting_user=user)
    if job is not None and job.state == ImportJob.State.VALIDATED:
        job = jobs.run_job(job.pk, mode=jobs.IMPORT, acting_user=user)
    tally.created += 1
    loader.say(f"Import job: {job.file_name if job else FILE_NAME} {job.get_state_display() if job else ''}")


def load_demo_invalid_import(loader, tally, department: Department, user) -> None:
    """A checked file with errors (the error report, *Upload a corrected file*); nothing is written."""
    if ImportJob.objects.filter(department=department, file_name=ERRORS_FILE_NAME).exists():
        tally.present += 1
        return
    data = demo_file_with_errors(department)
    if not data:
        return
    job = jobs.create_job(ContentFile(data, name=ERRORS_FILE_NAME), department=department, acting_user=user)
    job = jobs.run_job(job.pk, mode=jobs.CHECK, acting_user=user)
    tally.created += 1
    loader.say(f"Import job: {ERRORS_FILE_NAME} {job.get_state_display() if job else ''}")
