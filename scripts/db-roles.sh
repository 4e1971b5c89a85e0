#!/usr/bin/env bash
# Create (or update) the casework database roles and grants, then migrate as the owner and re-apply the grants.
#   ADMIN_URL=postgres://postgres@db:5432/casework \
#   OWNER_ROLE=casework_owner OWNER_PASSWORD=... APP_ROLE=casework_app APP_PASSWORD=... scripts/db-roles.sh
# Afterwards run the service with DATABASE_URL=postgres://casework_app:...@db/casework and migrate with
# DATABASE_OWNER_URL=postgres://casework_owner:...@db/casework (docs/security.md). --grants-only skips roles+migrate.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${ADMIN_URL:?ADMIN_URL (a superuser connection to the casework database) is required}"
OWNER_ROLE="${OWNER_ROLE:-casework_owner}"
APP_ROLE="${APP_ROLE:-casework_app}"
DBNAME="${DBNAME:-$(psql "$ADMIN_URL" -XAtc 'SELECT current_database()')}"
PY="${PY:-.venv/bin/python}"

section() {  # print the lines of scripts/db-roles.sql between "-- $1:begin" and "-- $1:end"
  sed -n "/^-- $1:begin/,/^-- $1:end/p" scripts/db-roles.sql
}
run_psql() {
  psql "$ADMIN_URL" -X -v ON_ERROR_STOP=1 -v owner="$OWNER_ROLE" -v app="$APP_ROLE" -v dbname="$DBNAME" \
    -v owner_password="${OWNER_PASSWORD:-}" -v app_password="${APP_PASSWORD:-}" "$@"
}

if [ "${1:-}" != "--grants-only" ]; then
  : "${OWNER_PASSWORD:?OWNER_PASSWORD is required}" "${APP_PASSWORD:?APP_PASSWORD is required}"
  section roles | run_psql -f -
  if [ -n "${DATABASE_OWNER_URL:-}" ]; then
    DATABASE_URL="$DATABASE_OWNER_URL" "$PY" manage.py migrate --noinput
  fi
fi
section grants | run_psql -f -
echo "roles and grants applied: owner=$OWNER_ROLE app=$APP_ROLE database=$DBNAME"
