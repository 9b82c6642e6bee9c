"""Expiry speed: our expiry (with history) vs a bare SQL UPDATE of the same rows.

``python -m bench expire --rows 1000000 [--chunk-size 50000]`` (PostgreSQL from
``DATABASE_URL``; SQLite is refused). It creates a throwaway database on the
same server (``creditportal_bench_expire_<pid>``, migrated from scratch, dropped
afterwards) and loads, with ``INSERT ... SELECT generate_series``:

- one department (a province), one catalogue item, N/10 persons
  (placeholder ciphertext: encryption plays no part in expiry);
- N active credit records, every other one past its period
  (``display_until < today``), the rest still displayed, plus one creation
  history row each (an expiry always writes into a populated history table).

Then it copies the records table into ``bench_bare`` (``LIKE ... INCLUDING
ALL``: the same columns, primary key, unique and check constraints and the
same indexes, e.g. ``(status, display_until)``), turns autovacuum off on the
tables involved, runs ``VACUUM ANALYZE`` and a ``CHECKPOINT``, and times:

(a) ``bare_update``: ``UPDATE bench_bare SET status = 'expired'
    WHERE display_until < today AND status = 'active'`` (one statement);
(b) ``expiry``: ``registry.expiry.expire_records(today=..., chunk_size=...)``
    on the real table: chunks taken under an advisory lock, each one
    ``UPDATE ... RETURNING`` feeding one ``INSERT ... SELECT`` into the
    history table, one transaction per chunk.

Prints ``name: value`` lines: counts, seconds, the WAL each wrote (a measure
of work that a busy machine does not stretch, though full-page images after a
checkpoint add to it), the 1-minute load average before the timings, and
``expire_vs_bare_update`` (our time over the bare time). Then it checks that
every due record is expired and has exactly one expiry history row (and
nothing else changed); if not, it says what is wrong and exits non-zero.
"""

from __future__ import annotations

import datetime
import os
import sys
import time

DEPARTMENT_CODE = "BENCH-EXP"
CATALOG_CODE = "BENCH-EXP-001"
BARE_TABLE = "bench_bare"


def add_arguments(parser) -> None:
    parser.add_argument("--rows", type=int, default=100_000,
                        help="credit records to load, half of them due (default 100000)")  # fmt: skip
    parser.add_argument("--chunk-size", type=int, default=None,
                        help="expire_records(chunk_size=...) (default registry.expiry.DEFAULT_CHUNK_SIZE)")  # fmt: skip


# --- loading -----------------------------------------------------------------------------------


def load(rows: int, today: datetime.date) -> int:
    """Load the minimal rows and N records; returns the number of due records."""
    from django.db import connection
    from django.utils import timezone

    from creditportal.audit import get_system_user
    from registry.models import CatalogItem, CreditRecord, Department, Person

    # A province: the one level that stands without a parent.
    department = Department.objects.create(code=DEPARTMENT_CODE, name="基准测试省", level="province",
                                           path=f"{DEPARTMENT_CODE}/")  # fmt: skip
    catalog_item = CatalogItem.objects.create(code=CATALOG_CODE, name="行政处罚信息", category="penalty",
                                              legal_basis="行政处罚法", sharing_level="public")  # fmt: skip
    system_user = get_system_user()  # created now, not inside the timed expiry
    persons = max(1, rows // 10)
    now = timezone.now()
    quote = connection.ops.quote_name
    person_table = quote(Person._meta.db_table)
    records = quote(CreditRecord._meta.db_table)
    history = quote(CreditRecord.history.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {person_table} (name, id_number_encrypted, id_number_index, id_number_masked, region_code,
                                        birth_date, phone, email, address, registered_by_id, created_at, updated_at)
            SELECT '测试' || i, 'bench-not-encrypted', md5('bench-person-' || i),
                   '530102********' || lpad((i %% 10000)::text, 4, '0'), '530102',
                   DATE '1970-01-01' + (i %% 15000), '', '', '', %(department)s, %(now)s, %(now)s
            FROM generate_series(1, %(persons)s) AS i
            """,
            {"department": department.pk, "now": now, "persons": persons},
        )
        cursor.execute(f"SELECT min(id) FROM {person_table}")
        first_person = cursor.fetchone()[0]
        # Odd i: due (display_until in [today - 1000, today - 1]); even i: still
        # displayed (display_until in [today, today + 999]). Interleaved, as
        # records decided on the same days with different periods would be.
        cursor.execute(
            f"""
            INSERT INTO {records} (person_id, department_id, catalog_item_id, severity, decision_no, decision_date,
                                   summary, legal_basis, display_from, display_until, status, created_at, updated_at)
            SELECT %(first_person)s + (i %% %(persons)s), %(department)s, %(catalog_item)s, 'general',
                   '滇测罚〔2025〕' || i || '号', d.until - 365, '未按规定履行义务（第' || i || '件）',
                   '《中华人民共和国行政处罚法》第二十八条', d.until - 365, d.until, 'active', %(now)s, %(now)s
            FROM generate_series(1, %(rows)s) AS i,
                 LATERAL (SELECT CASE WHEN i %% 2 = 1 THEN %(today)s::date - 1 - (i / 2) %% 1000
                                      ELSE %(today)s::date + (i / 2) %% 1000 END AS until) AS d
            ORDER BY i
            """,
            {"first_person": first_person, "persons": persons, "department": department.pk,
             "catalog_item": catalog_item.pk, "now": now, "rows": rows, "today": today},
        )  # fmt: skip
        shared = _shared_columns()
        cursor.execute(
            f"""
            INSERT INTO {history} ({shared}, history_date, history_change_reason, history_type, history_user_id)
            SELECT {shared}, created_at, 'bench load', '+', %(user)s FROM {records} ORDER BY id
            """,
            {"user": system_user.pk},
        )
        cursor.execute(f"SELECT count(*) FROM {records} WHERE status = 'active' AND display_until < %s", [today])
        return cursor.fetchone()[0]


def _shared_columns() -> str:
    from django.db import connection

    from registry.models import CreditRecord

    history_columns = {f.column for f in CreditRecord.history.model._meta.concrete_fields}
    return ", ".join(
        connection.ops.quote_name(f.column) for f in CreditRecord._meta.concrete_fields if f.column in history_columns
    )


def make_bare_copy() -> None:
    """The same table (columns, keys, check constraints, indexes) with the same rows."""
    from django.db import connection

    from registry.models import CreditRecord

    records = connection.ops.quote_name(CreditRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {BARE_TABLE} (LIKE {records} INCLUDING ALL)")
        cursor.execute(f"INSERT INTO {BARE_TABLE} SELECT * FROM {records} ORDER BY id")


def prepare_for_timing() -> None:
    """No autovacuum during the timings, fresh statistics and visibility, a checkpoint."""
    from django.db import connection

    from registry.models import CreditRecord

    quote = connection.ops.quote_name
    tables = [quote(CreditRecord._meta.db_table), quote(CreditRecord.history.model._meta.db_table), BARE_TABLE]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = false)")
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("CHECKPOINT")


def index_names(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [table])
        return [row[0].split(" USING ")[1] for row in cursor.fetchall()]


# --- the timings -------------------------------------------------------------------------------


def time_bare_update(today: datetime.date) -> tuple[float, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        lsn = _wal_lsn(cursor)
        started = time.perf_counter()
        cursor.execute(
            f"UPDATE {BARE_TABLE} SET status = 'expired' WHERE display_until < %s AND status = 'active'", [today]
        )  # autocommit: the time includes the commit
        seconds = time.perf_counter() - started
        updated = cursor.rowcount
        return seconds, updated, _wal_mb_since(cursor, lsn)


def time_expiry(today: datetime.date, chunk_size: int):
    from django.db import connection

    from registry.expiry import expire_records

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # the bare update's dirty pages are not ours to write
        lsn = _wal_lsn(cursor)
    started = time.perf_counter()
    result = expire_records(today=today, chunk_size=chunk_size)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        return seconds, result, _wal_mb_since(cursor, lsn)


def _wal_lsn(cursor) -> str:
    cursor.execute("SELECT pg_current_wal_lsn()")
    return cursor.fetchone()[0]


def _wal_mb_since(cursor, lsn: str) -> float:
    """WAL written since ``lsn`` (this run's work, less sensitive to a busy machine than seconds)."""
    cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", [lsn])
    return float(cursor.fetchone()[0]) / 1e6


def verify(today: datetime.date, due: int, rows: int) -> list[str]:
    """What is wrong with the expiry's result (empty when it is right)."""
    from django.db import connection

    from registry.expiry import EXPIRY_REASON
    from registry.models import CreditRecord

    quote = connection.ops.quote_name
    records = quote(CreditRecord._meta.db_table)
    history = quote(CreditRecord.history.model._meta.db_table)
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FILTER (WHERE status = 'expired'),
                   count(*) FILTER (WHERE status = 'expired' AND display_until >= %(today)s),
                   count(*) FILTER (WHERE status = 'active' AND display_until < %(today)s),
                   count(*) FILTER (WHERE status = 'active' AND display_until >= %(today)s)
            FROM {records}
            """,
            {"today": today},
        )
        expired, expired_early, still_due, still_active = cursor.fetchone()
        cursor.execute(
            f"""
            SELECT count(*), count(DISTINCT h.id),
                   count(*) FILTER (WHERE r.status IS DISTINCT FROM 'expired' OR h.status <> 'expired'
                                    OR h.history_type <> '~' OR h.history_user_id IS NULL)
            FROM {history} AS h LEFT JOIN {records} AS r ON r.id = h.id
            WHERE h.history_change_reason = %(reason)s
            """,
            {"reason": EXPIRY_REASON},
        )
        history_rows, history_records, history_wrong = cursor.fetchone()
        cursor.execute(
            f"""
            SELECT count(*) FROM {records} AS r
            WHERE r.status = 'expired'
              AND (SELECT count(*) FROM {history} AS h
                   WHERE h.id = r.id AND h.history_change_reason = %(reason)s) <> 1
            """,
            {"reason": EXPIRY_REASON},
        )
        not_exactly_one = cursor.fetchone()[0]
    if expired != due:
        problems.append(f"{expired} records expired, {due} were due")
    if expired_early:
        problems.append(f"{expired_early} records expired before the end of their period")
    if still_due:
        problems.append(f"{still_due} due records are still active")
    if still_active != rows - due:
        problems.append(f"{still_active} records still active, expected {rows - due}")
    if history_rows != due or history_records != due:
        problems.append(f"{history_rows} expiry history rows for {history_records} records, expected {due} for {due}")
    if history_wrong:
        problems.append(f"{history_wrong} expiry history rows do not describe an expired record")
    if not_exactly_one:
        problems.append(f"{not_exactly_one} expired records do not have exactly one expiry history row")
    return problems


# --- the run -----------------------------------------------------------------------------------


def run(args) -> int:
    from django.db import connection

    if connection.vendor != "postgresql":
        print(
            "bench expire: needs PostgreSQL (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres); "
            f"the configured database is {connection.vendor}, refused.",
            file=sys.stderr,
        )
        return 2
    from registry.expiry import DEFAULT_CHUNK_SIZE, EXPIRY_REASON

    if args.chunk_size is None:
        args.chunk_size = DEFAULT_CHUNK_SIZE
    if args.rows < 2 or args.chunk_size < 1:
        print("bench expire: --rows must be at least 2 and --chunk-size at least 1.", file=sys.stderr)
        return 2
    import logging

    from registry.models import CreditRecord, local_today

    logging.disable(logging.INFO)
    rows, chunk_size, today = args.rows, args.chunk_size, local_today()
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"creditportal_bench_expire_{os.getpid()}"
    # Creates the database on the same server, migrates it and points the
    # default connection at it (as bench.import_records does).
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.settings_dict['NAME']}")
        print(f"rows: {rows}")
        print(f"chunk_size: {chunk_size}")
        started = time.perf_counter()
        due = load(rows, today)
        make_bare_copy()
        print(f"load_seconds: {time.perf_counter() - started:.1f}")
        print(f"due_rows: {due}")
        record_indexes = index_names(CreditRecord._meta.db_table)
        print(f"records_indexes: {'; '.join(record_indexes)}")
        same_indexes = sorted(record_indexes) == sorted(index_names(BARE_TABLE))
        print(f"bare_same_indexes: {'yes' if same_indexes else 'no'}")
        prepare_for_timing()
        print(f"load_average_before_timing: {os.getloadavg()[0]:.2f}")
        bare_seconds, bare_rows, bare_wal = time_bare_update(today)
        print(f"bare_update_rows: {bare_rows}")
        print(f"bare_update_seconds: {bare_seconds:.3f}")
        print(f"bare_update_wal_mb: {bare_wal:.0f}")
        expiry_seconds, result, expiry_wal = time_expiry(today, chunk_size)
        print(f"expiry_seconds: {expiry_seconds:.3f}")
        print(f"expiry_wal_mb: {expiry_wal:.0f}")
        print(f"expiry_chunks: {result.chunks}")
        print(f"expired_rows: {result.expired}")
        problems = verify(today, due, rows)
        history_written = CreditRecord.history.filter(history_change_reason=EXPIRY_REASON).count()
        print(f"history_rows_written: {history_written}")
        print(f"expire_vs_bare_update: {expiry_seconds / bare_seconds:.2f}")
        if not same_indexes:
            problems.append("the bare copy does not have the same indexes as the records table")
        if bare_rows != due:
            problems.append(f"the bare update changed {bare_rows} rows, {due} were due")
        if result.expired != due:
            problems.append(f"expire_records() reported {result.expired} expired, {due} were due")
        for problem in problems:
            print(f"error: {problem}")
        print(f"verified: {'no' if problems else 'yes'}")
        return 1 if problems else 0
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


__all__ = ["add_arguments", "run"]
