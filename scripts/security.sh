#!/usr/bin/env bash
# `make security`: the security tests of docs/security.md, one figures line at the end.
#   audit-roles  the application's database role cannot erase the audit trail (PostgreSQL; required when CI=true)
#   admin-matrix the Administrator role over every caseworker write; no superuser; removed admin screens
#   sign-in      throttling/lockout, sign-in audit, CSP, JSON 500s; API tokens (hashed, expiring, revocable)
#   reads        every read of customer data is audited (one event, the customer and the reader); a stale customer
#                edit gets 409 (issue 13)
#   leak-corpus  scripts/leak-corpus, when that file exists
#   schemathesis the property-based API test over every operation of the schema (casework/web/tests/
#                test_schemathesis_all.py; SCHEMATHESIS_EXAMPLES per operation, 6 by default) and the customers one
set -uo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
PG_URL="${DATABASE_URL_PG:-postgres://postgres@127.0.0.1:5432/test}"
PYTEST=("$PY" -m pytest -q -n 0 -p no:logging)
status=0
figures=()

run() {  # run <label> <command...>: records "<label> <N passed|failed|skipped>"
  local label="$1"; shift
  echo "=== security: $label ==="
  local out rc
  out="$("$@" 2>&1)"; rc=$?
  echo "$out" | tail -n 3
  local passed
  passed="$(echo "$out" | grep -Eo '[0-9]+ passed' | tail -n 1)"
  if [ $rc -eq 0 ]; then figures+=("$label ${passed:-ok}"); else figures+=("$label FAILED"); status=1; fi
}

pg_up() {
  "$PY" - "$PG_URL" <<'PYEOF'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=5).close()
except Exception:
    sys.exit(1)
PYEOF
}

if pg_up; then
  run audit-roles env DATABASE_URL="$PG_URL" TEST_DB_NAME="${TEST_DB_NAME:-test_casework_security}" \
    "${PYTEST[@]}" casework/core/tests/test_audit_roles.py casework/core/tests/test_i13_audit_chain.py \
    casework/core/tests/test_i13_concurrency_pg.py
elif [ "${CI:-}" = "true" ]; then
  figures+=("audit-roles FAILED(no PostgreSQL)"); status=1
else
  figures+=("audit-roles skipped(no PostgreSQL)")
fi
run admin-matrix env DATABASE_URL= "${PYTEST[@]}" casework/core/tests/test_security_roles.py
run sign-in env DATABASE_URL= "${PYTEST[@]}" casework/core/tests/test_security_platform.py \
  casework/web/tests/test_token_api.py
run reads env DATABASE_URL= "${PYTEST[@]}" casework/customers/tests/test_i13_read_audit.py \
  casework/customers/tests/test_i13_stale_writes.py casework/customers/tests/test_i13_stale_web_forms.py \
  casework/core/tests/test_i13_versioned_records.py casework/ps/tests/test_i13_plan_versions.py
if [ -e scripts/leak-corpus ]; then
  # The corpus runs on the configured database (the embedded SQLite one by default) in a rolled-back transaction: it
  # needs the tables, so a fresh clone migrates first (what `make run` does; nothing else is written).
  mkdir -p var
  DEBUG=true "$PY" manage.py migrate --noinput >/dev/null 2>&1 || { echo "migrate failed before the leak corpus" >&2; }
  if [ -x scripts/leak-corpus ]; then run leak-corpus scripts/leak-corpus
  else run leak-corpus bash scripts/leak-corpus; fi
else
  figures+=("leak-corpus absent")
fi
run schemathesis env DATABASE_URL= "${PYTEST[@]}" casework/web/tests/test_schemathesis_all.py casework/web/tests/test_malformed_inputs.py \
  casework/customers/tests/test_schemathesis.py

line="security:"
for f in "${figures[@]}"; do line="$line $f;"; done
echo "$line"
exit $status
