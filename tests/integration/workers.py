"""Helpers for tests that start a real Celery worker process against Redis
and the pytest-django test database (PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from creditportal.celery import app as celery_app

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
WORKER_START_TIMEOUT = 60  # seconds for the worker to start and run the task
WORKER_STOP_TIMEOUT = 15


def database_url(settings_dict) -> str:
    """A DATABASE_URL naming the same (test) database as ``settings_dict``."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = user + (":" + quote(password, safe="") if password else "")
    host = settings_dict.get("HOST") or ""
    if host.startswith("/"):  # a Unix socket directory
        host = quote(host, safe="")
    port = str(settings_dict.get("PORT") or "")
    netloc = (auth + "@" if auth else "") + host + (":" + port if port else "")
    return f"postgres://{netloc}/{quote(settings_dict['NAME'], safe='')}"


def redis_url() -> str:
    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        if os.environ.get("REDIS_URL"):
            pytest.fail(f"REDIS_URL={url} is set but Redis does not answer: {exc}")
        pytest.skip(f"no Redis at {url}: {exc}")
    return url


@contextlib.contextmanager
def celery_app_using(url: str, queue: str | None = None):
    """Point the project's Celery app at ``url`` (broker and results), not eager.

    Settings decide ``CELERY_TASK_ALWAYS_EAGER`` from ``REDIS_URL`` when they are
    imported, so this process may hold an eager, in-memory configuration; the
    cached backend and producer pool are dropped so the new URLs take effect,
    and everything is put back afterwards.
    """
    keys = ("broker_url", "result_backend", "task_always_eager", "task_default_queue")
    saved = {key: celery_app.conf.get(key) for key in keys}

    def reset_connections():
        # Celery caches the result backend (per app, or per thread when the
        # backend is not thread-safe) and the producer pool on first use.
        backend = celery_app._backend
        celery_app._backend_cache = None
        if hasattr(celery_app._local, "backend"):
            del celery_app._local.backend
        if backend is not None and hasattr(backend, "client"):
            with contextlib.suppress(Exception):
                backend.client.connection_pool.disconnect()
        pool = celery_app._pool
        celery_app._pool = None
        if pool is not None:
            with contextlib.suppress(Exception):
                pool.force_close_all()
        amqp = celery_app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None
        # kombu keeps producer pools per connection URL process-wide: a pool
        # closed above would be handed out again to the next test.
        from kombu import pools

        pools.reset()

    celery_app.conf.update(broker_url=url, result_backend=url, task_always_eager=False)
    if queue:  # tasks sent without an explicit queue (services' own enqueueing) go there too
        celery_app.conf.task_default_queue = queue
    reset_connections()
    try:
        yield celery_app
    finally:
        reset_connections()
        celery_app.conf.update(saved)


def forget_queue(url: str, queue: str) -> None:
    """Remove the per-run queue and kombu's bindings for it from Redis."""
    import redis

    with contextlib.suppress(redis.RedisError):
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        keys = list(client.scan_iter(match=f"*{queue}*", count=1000))
        if keys:
            client.delete(*keys)


def tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no worker log)"


@contextlib.contextmanager
def running_worker(tmp_path: Path, extra_env: dict | None = None):
    """Start a worker on a queue of its own; yield (queue, url, log_path, process); always stop it."""
    url = redis_url()
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "celery-worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "creditportal.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": url,
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "creditportal", "worker",
        "--pool=solo", "--concurrency=1", "--loglevel=INFO",
        "--queues", queue, "--hostname", f"{queue}@%h",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with open(log_path, "wb") as log, celery_app_using(url, queue):
        worker = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            yield queue, url, log_path, worker
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=WORKER_STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait(timeout=WORKER_STOP_TIMEOUT)
            forget_queue(url, queue)


def wait_for(result, worker, log_path: Path, timeout: float = None):
    """Wait (bounded) for an AsyncResult; fail with the worker log if it dies or stalls."""
    deadline = time.monotonic() + (timeout or WORKER_START_TIMEOUT)
    while not result.ready():
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{tail(log_path)}")
        if time.monotonic() > deadline:
            pytest.fail(f"no result within {timeout or WORKER_START_TIMEOUT}s; worker log:\n{tail(log_path)}")
        time.sleep(0.2)
    value = result.get(timeout=5)
    result.forget()
    return value
