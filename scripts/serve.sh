#!/usr/bin/env bash
# make serve: the production shape on one machine -- PostgreSQL, Redis, gunicorn,
# a Celery worker and one beat, all started by honcho from the Procfile.
#
# Defaults suit our machines (PostgreSQL and Redis on 127.0.0.1); override any of
# DATABASE_URL, REDIS_URL, PORT, WEB_CONCURRENCY, WORKER_CONCURRENCY and the
# settings variables in README ("Configuration").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/creditportal}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
export PORT="${PORT:-8000}"
PY=.venv/bin/python

case "$DATABASE_URL" in
    postgres://*|postgresql://*) ;;
    *) echo "make serve runs on PostgreSQL: DATABASE_URL must be a postgres:// URL (make demo is the SQLite way)." >&2; exit 2 ;;
esac

# Create the database when the server is there but the database is not yet.
"$PY" - <<'PY'
import os, sys
from urllib.parse import urlparse
import psycopg
url = urlparse(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
try:
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")
except psycopg.OperationalError as exc:
    sys.exit(f"PostgreSQL is not reachable at {url.hostname}:{url.port or 5432}: {exc}".strip())
PY

"$PY" - <<'PY'
import os, sys
import redis
try:
    redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=3).ping()
except redis.RedisError as exc:
    sys.exit(f"Redis is not reachable at {os.environ['REDIS_URL']}: {exc}")
PY

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v0
echo "Serving on http://127.0.0.1:${PORT}/ (web: gunicorn, worker: celery, beat: celery beat). Ctrl-C stops all three."
export PATH="$PWD/.venv/bin:$PATH"
exec honcho start -f Procfile
