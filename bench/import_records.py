"""Import speed: PostgreSQL COPY vs django-import-export vs our import.

``python -m bench import --rows 100000`` (PostgreSQL from ``DATABASE_URL``;
SQLite is refused). It creates a throwaway database on the same server
(``bench_import_<pid>``, migrated from scratch), generates N valid rows as a
CSV file (UTF-8 with BOM, Chinese headers, one new person per row: the
worst case for us), and measures rows per second for:

(a) ``copy``: PostgreSQL ``COPY`` of the file into a table with the file's
    columns and the indexes a records table needs for the same lookups
    (bigserial primary key, unique decision number, ID number, display end);
(b) ``django_import_export``: its ``ModelResource`` (``use_bulk=True``, the
    decision number as ``import_id_fields``, otherwise defaults) importing the
    same rows into a plain model with the file's columns that the bench
    creates for itself (on the first ``--dje-rows`` rows);
(c) ``import``: ``registry.importing`` with full validation, encryption,
    persons, records and both history tables, as the command runs it.
    It runs in a forked child process, so its peak memory is its own.
(d) ``copy_of_import_output``: what (c) wrote (persons, records and their
    history rows), dumped and loaded again with binary ``COPY`` into copies of
    those four tables with the same indexes (``LIKE ... INCLUDING ALL``, no
    foreign keys) - the physical limit for writing what the import writes,
    with no reading, validation, encryption, lookups or integrity checks. The
    ratio ``import_vs_copy_of_import_output`` is how much of that limit the
    import reaches; (a) loads one table, so ``import_vs_copy`` cannot come near
    1 however fast the import is.

Prints ``name: value`` lines, then ``import_vs_copy`` and
``import_vs_django_import_export``. The database is dropped afterwards.
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import resource
import sys
import tempfile
import time

REGIONS = ["530102", "530103", "530111", "530112", "530113", "530114", "530302", "530402", "530502", "530602"]
HEADER = ["姓名", "身份证号", "信息项编码", "决定文书号", "决定日期", "严重程度", "公示开始日期", "公示截止日期",
          "事实摘要", "法律依据"]  # fmt: skip
ENGLISH = ["name", "id_number", "catalog_code", "decision_no", "decision_date", "severity", "display_from",
           "display_until", "summary", "legal_basis"]  # fmt: skip
SEVERITIES = [("轻微", 90), ("一般", 365), ("严重", 1095)]
CATALOG_CODE = "BENCH-001"
DEPARTMENT_CODE = "BENCH"


def add_arguments(parser) -> None:
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the generated file (default 100000)")
    parser.add_argument("--dje-rows", type=int, default=10_000,
                        help="rows for django-import-export (default 10000; it is slow)")  # fmt: skip
    parser.add_argument("--skip-dje", action="store_true", help="do not measure django-import-export")


def check_digit(body: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def generate(path: str, rows: int) -> None:
    """N valid rows, each a different person (valid ID numbers, real region codes)."""
    base = datetime.date(1950, 1, 1)
    decided = datetime.date(2025, 6, 1)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(rows):
            region = REGIONS[i % len(REGIONS)]
            birth = base + datetime.timedelta(days=(i // len(REGIONS) // 1000) % 20000)
            body = f"{region}{birth:%Y%m%d}{(i // len(REGIONS)) % 1000:03d}"
            severity, days = SEVERITIES[i % 3]
            decision = decided + datetime.timedelta(days=i % 150)
            writer.writerow([
                f"测试{i}", body + check_digit(body), CATALOG_CODE, f"滇测罚〔2025〕{i}号", decision.isoformat(),
                severity, decision.isoformat(), (decision + datetime.timedelta(days=days)).isoformat(),
                f"未按规定履行义务（第{i}件）", "《中华人民共和国行政处罚法》第二十八条",
            ])  # fmt: skip


def read_rows(path: str, limit: int):
    with open(path, encoding="utf-8-sig", newline="") as source:
        reader = csv.reader(source)
        next(reader)
        for index, row in enumerate(reader):
            if index >= limit:
                break
            yield row


# --- (a) COPY ------------------------------------------------------------------------------


def bench_copy(path: str, rows: int) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE TABLE bench_copy (
                id bigserial PRIMARY KEY, name text, id_number text, catalog_code text, decision_no text,
                decision_date date, severity text, display_from date, display_until date, summary text,
                legal_basis text)
            """
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_copy (decision_no)")
        cursor.execute("CREATE INDEX ON bench_copy (id_number)")
        cursor.execute("CREATE INDEX ON bench_copy (display_until)")
        started = time.perf_counter()
        with open(path, "rb") as source:
            with cursor.copy(
                f"COPY bench_copy ({', '.join(ENGLISH)}) FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_copy")
        assert cursor.fetchone()[0] == rows
        cursor.execute("DROP TABLE bench_copy")
    return rows / seconds


# --- (b) django-import-export ----------------------------------------------------------------


def bench_django_import_export(path: str, rows: int) -> float:
    import tablib
    from django.db import connection, models
    from import_export import resources

    attrs = {
        "__module__": __name__,
        "Meta": type("Meta", (), {"app_label": "registry", "db_table": "bench_dje_record"}),  # only in this process
        "name": models.CharField(max_length=100),
        "id_number": models.CharField(max_length=18, db_index=True),
        "catalog_code": models.CharField(max_length=32),
        "decision_no": models.CharField(max_length=100, unique=True),
        "decision_date": models.DateField(),
        "severity": models.CharField(max_length=16),
        "display_from": models.DateField(),
        "display_until": models.DateField(db_index=True),
        "summary": models.TextField(),
        "legal_basis": models.TextField(),
    }
    model = type("BenchDjeRecord", (models.Model,), attrs)
    with connection.schema_editor() as editor:
        editor.create_model(model)

    meta = type("Meta", (), {"model": model, "use_bulk": True, "import_id_fields": ("decision_no",),
                             "fields": ("id", *ENGLISH)})  # fmt: skip
    resource_class = type("BenchResource", (resources.ModelResource,), {"Meta": meta})
    dataset = tablib.Dataset(headers=ENGLISH)
    for row in read_rows(path, rows):
        dataset.append(row)
    started = time.perf_counter()
    result = resource_class().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    assert not result.has_errors() and model.objects.count() == len(dataset)
    with connection.schema_editor() as editor:
        editor.delete_model(model)
    return len(dataset) / seconds


# --- (c) ours --------------------------------------------------------------------------------


def bench_ours(path: str, rows: int) -> dict:
    """Run the import in a forked child; returns its figures and peak RSS."""
    from django.db import connections

    connections.close_all()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: import, report, exit without running the parent's cleanup
        os.close(read_end)
        code = 0
        try:
            figures = _import_in_child(path, rows)
        except BaseException as exc:  # report anything to the parent
            figures, code = {"error": f"{type(exc).__name__}: {exc}"}, 1
        figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        with os.fdopen(write_end, "w") as out:
            json.dump(figures, out)
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as source:
        payload = source.read()
    os.waitpid(pid, 0)
    figures = json.loads(payload or '{"error": "no output from the child"}')
    if "error" in figures:
        raise RuntimeError(figures["error"])
    return figures


def _import_in_child(path: str, rows: int) -> dict:
    from django.contrib.auth import get_user_model

    from registry.importing import import_records
    from registry.models import CreditRecord, Department

    user = get_user_model().objects.get(username="bench-operator")
    department = Department.objects.get(code=DEPARTMENT_CODE)
    started = time.perf_counter()
    with open(path, "rb") as source:
        result = import_records(source, file_name=os.path.basename(path), department=department, acting_user=user)
    seconds = time.perf_counter() - started
    if not result.ok:
        raise RuntimeError(f"{result.error_count} errors, e.g. {result.errors[:3]}")
    assert result.created == rows and CreditRecord.history.count() == rows
    return {
        "rows_per_s": rows / seconds,
        "seconds": seconds,
        "validation_seconds": result.validation_seconds,
        "write_seconds": result.write_seconds,
    }


# --- (d) COPY of what the import wrote -----------------------------------------------------------


def bench_copy_of_import_output(folder: str) -> float:
    """Seconds to load (c)'s output tables again with binary COPY, in one transaction
    (dumped to files in ``folder`` first: at a million rows they are large)."""
    from django.db import connection, transaction

    from registry.models import CreditRecord, Person

    tables = [model._meta.db_table for model in (Person, Person.history.model, CreditRecord,
                                                   CreditRecord.history.model)]  # fmt: skip
    dumps = [os.path.join(folder, f"{table}.copy") for table in tables]
    with connection.cursor() as cursor:
        for table, dump in zip(tables, dumps):
            with cursor.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy, open(dump, "wb") as out:
                for chunk in copy:
                    out.write(chunk)
            cursor.execute(f'CREATE TABLE "bench_{table}" (LIKE "{table}" INCLUDING ALL)')
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, dump in zip(tables, dumps):
            with cursor.copy(f'COPY "bench_{table}" FROM STDIN (FORMAT binary)') as copy, open(dump, "rb") as source:
                while chunk := source.read(1 << 20):
                    copy.write(chunk)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'DROP TABLE "bench_{table}"')
    return seconds


# --- the run ---------------------------------------------------------------------------------


def setup_data() -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from registry import services
    from registry.models import CatalogItem, Department

    user = get_user_model().objects.create_superuser("bench-operator", "bench@example.cn", None)
    with transaction.atomic():
        province = services.save_department(
            Department(code="BENCHP", name="基准测试省", level="province"), acting_user=user, reason="bench"
        )  # only a province stands without a parent
        services.save_department(
            Department(code=DEPARTMENT_CODE, name="基准测试局", level="department", parent=province),
            acting_user=user,
            reason="bench",
        )
        services.save_catalog_item(
            CatalogItem(code=CATALOG_CODE, name="行政处罚信息", category="penalty", legal_basis="行政处罚法",
                        sharing_level="public"),
            acting_user=user,
            reason="bench",
        )  # fmt: skip


def run(args) -> int:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench import: needs PostgreSQL (set DATABASE_URL=postgres://...); SQLite is refused.", file=sys.stderr)
        return 2
    import logging

    logging.disable(logging.INFO)
    rows = args.rows
    test_name = f"bench_import_{os.getpid()}"
    connection.settings_dict.setdefault("TEST", {})["NAME"] = test_name
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        setup_data()
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, f"bench-{rows}.csv")
            started = time.perf_counter()
            generate(path, rows)
            print(f"rows: {rows}")
            print(f"file_mb: {os.path.getsize(path) / 1e6:.1f}")
            print(f"generate_seconds: {time.perf_counter() - started:.1f}")
            copy_rate = bench_copy(path, rows)
            print(f"copy_rows_per_s: {copy_rate:.0f}")
            dje_rate = None
            if not args.skip_dje:
                dje_rows = min(rows, args.dje_rows)
                dje_rate = bench_django_import_export(path, dje_rows)
                print(f"django_import_export_rows: {dje_rows}")
                print(f"django_import_export_rows_per_s: {dje_rate:.0f}")
            ours = bench_ours(path, rows)
            print(f"import_rows_per_s: {ours['rows_per_s']:.0f}")
            print(f"import_seconds: {ours['seconds']:.1f}")
            print(f"import_validation_seconds: {ours['validation_seconds']:.1f}")
            print(f"import_write_seconds: {ours['write_seconds']:.1f}")
            floor_seconds = bench_copy_of_import_output(folder)
            print(f"copy_of_import_output_seconds: {floor_seconds:.2f}")
            print(f"import_vs_copy: {ours['rows_per_s'] / copy_rate:.3f}")
            print(f"import_vs_copy_of_import_output: {floor_seconds / ours['seconds']:.3f}")
            if dje_rate:
                print(f"import_vs_django_import_export: {ours['rows_per_s'] / dje_rate:.1f}")
            print(f"import_peak_rss_mb: {ours['peak_rss_mb']:.0f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


__all__ = ["add_arguments", "run"]
