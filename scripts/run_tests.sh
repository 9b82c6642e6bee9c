#!/usr/bin/env bash
# The whole test suite, on every database and service this machine offers.
#
#   1. SQLite pass (always): everything except tests marked `postgres` or
#      `redis`; tests marked `browser` only when /usr/bin/chromium exists.
#   2. PostgreSQL pass, when a server answers: DATABASE_URL if it is a
#      PostgreSQL URL, else postgres://postgres@127.0.0.1:5432/creditportal.
#      Everything except `browser` (UI tests, run once above), with REDIS_URL
#      unset so that Celery stays eager as in production code paths' tests...
#   3. ...then the `redis` tests on the same server, with REDIS_URL set
#      (default redis://127.0.0.1:6379/0), when Redis answers. They are a
#      separate pytest run so that only they see a broker.
#
# At the end it prints which suites ran and which could not run, and why.
# Exit status: non-zero if any run failed or collected no tests (pytest exit
# 5 is an error here), and, with REQUIRE_ALL_SUITES=1, if any suite could not
# run. Arguments are passed to every pytest run (e.g. -x, -k name).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}  # tests/browser/conftest.py reads the same variable
DEFAULT_PG_URL=postgres://postgres@127.0.0.1:5432/creditportal
DEFAULT_REDIS_URL=redis://127.0.0.1:6379/0
SQLITE_URL="sqlite:///$ROOT/var/creditportal.sqlite3"
REQUIRE_ALL_SUITES=${REQUIRE_ALL_SUITES:-0}
PYTEST_ARGS=("$@")
# pytest-xdist: the SQLite and PostgreSQL passes run on TEST_WORKERS processes
# (default: the number of cores, at most 4; 1 runs them in one process). Tests
# of one file stay on one worker (--dist loadfile: class- and module-scoped
# data is built once). The Redis/Celery worker tests always run in one process.
TEST_WORKERS=${TEST_WORKERS:-$(n=$(nproc 2>/dev/null || echo 1); ((n > 4)) && n=4; echo "$n")}
PARALLEL=()

results=()  # every pytest run, in order, with its outcome
failures=0  # runs that failed or collected nothing
notrun=()   # suites that could not run, with the reason
started=$SECONDS

hide_password() { sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#' <<<"$1"; }

# run_pytest LABEL MARKEXPR [env args...]: one pytest run, recorded by LABEL.
# RUN_PARALLEL=1 before the call spreads it over the xdist workers.
run_pytest() {
    local label=$1 markexpr=$2 rc=0 t0=$SECONDS
    shift 2
    local parallel=()
    [[ ${RUN_PARALLEL:-0} == 1 ]] && parallel=(${PARALLEL[@]+"${PARALLEL[@]}"})
    echo
    echo "=== $label: pytest -m \"$markexpr\" ${parallel[*]+${parallel[*]}} ${PYTEST_ARGS[*]+${PYTEST_ARGS[*]}}"
    env "$@" "$PYTHON" -m pytest -m "$markexpr" ${parallel[@]+"${parallel[@]}"} ${PYTEST_ARGS[@]+"${PYTEST_ARGS[@]}"} || rc=$?
    local took=$((SECONDS - t0))
    case $rc in
        0) results+=("$label: passed (${took}s)") ;;
        5) results+=("$label: NO TESTS COLLECTED (pytest exit 5): a run that tests nothing is an error") ;;
        *) results+=("$label: FAILED (pytest exit $rc, ${took}s)") ;;
    esac
    ((rc == 0)) || failures=$((failures + 1))
}

# postgres_problem URL: prints nothing and succeeds if a server answers at URL
# (its database, or the `postgres` maintenance database, which is where the
# test database gets created); else prints why not and fails.
postgres_problem() {
    "$PYTHON" - "$1" <<'EOF'
import sys

import dj_database_url
import psycopg

cfg = dj_database_url.parse(sys.argv[1])
params = {
    "host": cfg.get("HOST") or None,
    "port": cfg.get("PORT") or None,
    "user": cfg.get("USER") or None,
    "password": cfg.get("PASSWORD") or None,
    "connect_timeout": 3,
}
errors = []
for dbname in dict.fromkeys([cfg.get("NAME") or "postgres", "postgres"]):
    try:
        psycopg.connect(dbname=dbname, **params).close()
        sys.exit(0)
    except psycopg.Error as exc:
        errors.append(" ".join(str(exc).split()))
print(errors[-1][:300])
sys.exit(1)
EOF
}

redis_problem() {
    "$PYTHON" - "$1" <<'EOF'
import sys

import redis

try:
    redis.Redis.from_url(sys.argv[1], socket_connect_timeout=2, socket_timeout=2).ping()
except Exception as exc:  # any failure means: no usable Redis
    print(" ".join(str(exc).split())[:300] or type(exc).__name__)
    sys.exit(1)
EOF
}

if [[ ! -x $PYTHON ]]; then
    echo "run_tests.sh: no Python at $PYTHON (run 'make test', which creates .venv)" >&2
    exit 2
fi
mkdir -p "$ROOT/var" "$ROOT/test-artifacts"
if ((TEST_WORKERS > 1)) && "$PYTHON" -c "import xdist" 2>/dev/null; then
    PARALLEL=(-n "$TEST_WORKERS" --dist loadfile)
fi

# --- What can run here --------------------------------------------------------------
browser_reason=""
if [[ ! -x $CHROMIUM ]]; then
    browser_reason="no Chromium at $CHROMIUM (Debian package 'chromium')"
elif ! "$PYTHON" -c "import playwright.sync_api" 2>/dev/null; then
    browser_reason="Playwright for Python is not installed in .venv"
fi

case ${DATABASE_URL:-} in
    postgres://* | postgresql://* | pgsql://* | postgis://*) pg_url=$DATABASE_URL ;;
    *) pg_url=$DEFAULT_PG_URL ;;
esac
pg_shown=$(hide_password "$pg_url")
pg_reason=""
if ! msg=$(postgres_problem "$pg_url"); then
    pg_reason="no PostgreSQL at $pg_shown: $msg"
fi

redis_url=${REDIS_URL:-$DEFAULT_REDIS_URL}
redis_shown=$(hide_password "$redis_url")
redis_reason=""
if ! msg=$(redis_problem "$redis_url"); then
    redis_reason="no Redis at $redis_shown: $msg"
fi

# --- 1. SQLite ----------------------------------------------------------------------------
sqlite_marks="not postgres and not redis"
if [[ -n $browser_reason ]]; then
    sqlite_marks+=" and not browser"
    notrun+=("browser tests: $browser_reason")
fi
RUN_PARALLEL=1 run_pytest "SQLite pass" "$sqlite_marks" -u REDIS_URL "DATABASE_URL=$SQLITE_URL"
[[ -z $browser_reason ]] && echo "(browser tests were part of the SQLite pass, Chromium at $CHROMIUM)"

# --- 2. PostgreSQL, 3. Redis + a real Celery worker ---------------------------------------
if [[ -n $pg_reason ]]; then
    notrun+=("PostgreSQL pass: $pg_reason")
    if [[ -n $redis_reason ]]; then
        notrun+=("Redis/Celery worker tests: $redis_reason (and they need the PostgreSQL pass)")
    else
        notrun+=("Redis/Celery worker tests: they run in the PostgreSQL pass, which could not run")
    fi
else
    RUN_PARALLEL=1 run_pytest "PostgreSQL pass ($pg_shown)" "not browser and not redis" -u REDIS_URL "DATABASE_URL=$pg_url"
    if [[ -n $redis_reason ]]; then
        notrun+=("Redis/Celery worker tests: $redis_reason")
    else
        run_pytest "Redis/Celery worker tests on PostgreSQL ($redis_shown)" "redis and not browser" \
            "DATABASE_URL=$pg_url" "REDIS_URL=$redis_url"
    fi
fi

# --- Summary ------------------------------------------------------------------------------
echo
echo "==================== make test: summary ($((SECONDS - started))s) ===================="
echo "Ran:"
for line in "${results[@]}"; do echo "  - $line"; done
if ((${#notrun[@]})); then
    echo "Could not run:"
    for line in "${notrun[@]}"; do echo "  - $line"; done
else
    echo "Could not run: nothing - every suite ran."
fi

status=0
if ((failures)); then
    echo "RESULT: FAILED ($failures run(s) failed)"
    status=1
fi
if ((${#notrun[@]})); then
    if [[ $REQUIRE_ALL_SUITES == 1 ]]; then
        echo "RESULT: REQUIRE_ALL_SUITES=1 and ${#notrun[@]} suite(s) could not run"
        status=1
    else
        echo "(set REQUIRE_ALL_SUITES=1 to make a suite that could not run an error)"
    fi
fi
((status == 0)) && echo "RESULT: OK"
exit $status
