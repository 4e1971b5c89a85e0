#!/usr/bin/env bash
# The whole suite on SQLite, then on PostgreSQL. With CI=true PostgreSQL is required: unreachable is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL="${DATABASE_URL_PG:-${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}}"
PYTEST_ARGS=(-q -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@")
mkdir -p var/screenshots
status=0

run_suite() {
  local label="$1"; shift
  echo "=== test suite on $label ==="
  env "$@" $PY -m pytest "${PYTEST_ARGS[@]}"
  local rc=$?
  if [ $rc -eq 5 ]; then echo "no tests were collected on $label: failing" >&2; rc=1; fi
  [ $rc -eq 0 ] || status=1
}

echo "=== import contracts (lint-imports) ==="
if ! .venv/bin/lint-imports --no-cache; then status=1; fi

if [ "${CI:-}" = "true" ]; then
  # Scale-out proof on this machine: two app servers and two job workers on Redis, a streaming replica.
  echo "=== cluster check ==="
  bash scripts/cluster-check.sh || status=1
fi

run_suite sqlite DATABASE_URL=

if $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL unreachable at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  run_suite postgresql DATABASE_URL="$PG_URL" TEST_DB_NAME="${TEST_DB_NAME:-test_casework}"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true and PostgreSQL is unreachable: failing" >&2
  status=1
else
  echo "PostgreSQL not reachable: suite ran on SQLite only (CI requires both)"
fi
exit $status
