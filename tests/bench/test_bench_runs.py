"""The benchmarks in bench/ keep running and print every figure the issues ask
for (their values are for people to read, so only their presence and sense are
checked here). They create their own database on the PostgreSQL server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str, database_url: str) -> tuple[int, dict, str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    done = subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    figures = {}
    for line in done.stdout.splitlines():
        name, _, value = line.partition(": ")
        try:
            figures[name] = float(value)
        except ValueError:  # a line that names something (the database, verified: yes)
            figures[name] = value
    return done.returncode, figures, done.stderr


@pytest.mark.postgres
def test_the_import_benchmark_prints_its_figures():
    code, figures, stderr = run_bench("import", "--rows", "400", "--dje-rows", "100",
                                      database_url=os.environ["DATABASE_URL"])  # fmt: skip
    assert code == 0, stderr
    for name in ("copy_rows_per_s", "django_import_export_rows_per_s", "import_rows_per_s",
                 "import_peak_rss_mb"):  # fmt: skip
        assert figures[name] > 0, name
    # The ratios are of the printed figures (which are rounded: 3 and 1 decimals).
    ratio = figures["import_rows_per_s"] / figures["copy_rows_per_s"]
    assert figures["import_vs_copy"] == pytest.approx(ratio, abs=0.001)
    ratio = figures["import_rows_per_s"] / figures["django_import_export_rows_per_s"]
    assert figures["import_vs_django_import_export"] == pytest.approx(ratio, abs=0.1)
    # Loading the import's own output again cannot take longer than the import did.
    assert 0 < figures["import_vs_copy_of_import_output"] < 1


@pytest.mark.postgres
def test_the_expiry_benchmark_prints_its_figures():
    code, figures, stderr = run_bench("expire", "--rows", "2000", database_url=os.environ["DATABASE_URL"])
    assert code == 0, stderr
    assert figures["expire_vs_bare_update"] > 0


def test_the_benchmarks_refuse_sqlite(tmp_path):
    for name in ("import", "expire"):
        code, figures, stderr = run_bench(name, "--rows", "10", database_url=f"sqlite:///{tmp_path}/bench.sqlite3")
        assert code == 2 and "PostgreSQL" in stderr and not figures
