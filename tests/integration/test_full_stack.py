"""`make serve` starts the production shape: gunicorn, a Celery worker and one
beat, against PostgreSQL and Redis, from one command (scripts/serve.sh)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection

from registry.tasks import record_counts
from tests.integration.workers import celery_app_using, database_url, redis_url, tail, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_make_serve_runs_web_worker_and_beat(tmp_path):
    url = redis_url()
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": url,
        "PORT": str(port),
        "VAR_DIR": str(tmp_path),
        "WEB_CONCURRENCY": "1",
        "WORKER_CONCURRENCY": "1",
        "PYTHONUNBUFFERED": "1",
    }
    with open(log_path, "wb") as log:
        stack = subprocess.Popen(
            ["scripts/serve.sh"],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 90
            status = None
            while status != 200:
                assert stack.poll() is None, f"make serve exited:\n{tail(log_path)}"
                assert time.monotonic() < deadline, f"no web answer on port {port}:\n{tail(log_path)}"
                try:
                    status = urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5).status
                except OSError:
                    time.sleep(0.5)
            page = urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5).read().decode()
            assert "csrfmiddlewaretoken" in page
            # The worker started by the same command takes work from Redis.
            with celery_app_using(url):
                counts = wait_for(record_counts.apply_async(), stack, log_path, timeout=90)
            assert counts["computed_by"] == settings.SYSTEM_USERNAME
            deadline = time.monotonic() + 30
            while "beat: Starting" not in log_path.read_text(errors="replace"):
                assert time.monotonic() < deadline, f"beat did not start:\n{tail(log_path)}"
                time.sleep(0.5)
        finally:
            os.killpg(stack.pid, signal.SIGTERM)
            try:
                stack.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(stack.pid, signal.SIGKILL)
                stack.wait(timeout=30)
    output = log_path.read_text(errors="replace")
    assert "web.1" in output and "worker.1" in output and "beat.1" in output
