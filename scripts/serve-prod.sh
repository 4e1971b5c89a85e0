#!/usr/bin/env bash
# The production server on this machine: gunicorn (workers from the core count) + whitenoise for static files,
# PostgreSQL, and the django-q2 job worker (Redis broker when Q_REDIS_URL is set). Ctrl-C / TERM stops both.
#   DATABASE_URL   default postgres://postgres@127.0.0.1:5432/casework (created if missing)
#   SEED_DEMO=1    load the demo data (refused with DEBUG off unless forced, as here)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_SETTINGS_MODULE=config.settings_production
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/casework}"
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-127.0.0.1,localhost}"
export DB_POOL="${DB_POOL:-true}"
# Plain http on this machine: no SSL redirect and no Secure-only cookies. Behind a TLS proxy leave both unset.
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-false}"
export SECURE_COOKIES="${SECURE_COOKIES:-false}"
mkdir -p var
if [ -z "${SECRET_KEY:-}" ]; then
  [ -s var/secret_key ] || $PY -c "import secrets; print(secrets.token_urlsafe(64))" > var/secret_key
  SECRET_KEY="$(cat var/secret_key)"; export SECRET_KEY
fi
$PY - "$DATABASE_URL" <<'PYEOF'
import sys, psycopg
from psycopg import sql
from urllib.parse import urlparse
url = urlparse(sys.argv[1])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")
PYEOF
$PY manage.py migrate --noinput
$PY manage.py load_reference
if [ "${SEED_DEMO:-}" = "1" ]; then $PY manage.py seed_demo --force; fi
# Hashed + compressed static files take a minute of CPU: collected again only when a static source is newer.
manifest=var/static/staticfiles.json
if [ ! -s "$manifest" ] || [ -n "$(find casework -path '*/static/*' -type f -newer "$manifest" -print -quit)" ] \
   || [ pyproject.toml -nt "$manifest" ]; then
  echo "collecting static files"
  $PY manage.py collectstatic --noinput -v 0
fi
$PY manage.py qcluster &
QPID=$!
$PY -m gunicorn -c config/gunicorn.conf.py config.wsgi:application &
WPID=$!
# shellcheck source=stop-procs.sh
. scripts/stop-procs.sh
stop() {
  trap - INT TERM EXIT
  stop_procs "$WPID" "$QPID"
  wait "$WPID" "$QPID" 2>/dev/null
  exit 0
}
trap stop INT TERM EXIT
echo "gunicorn on ${BIND:-${HOST:-127.0.0.1}:${PORT:-8000}} with the job worker (pids $WPID, $QPID). Ctrl-C stops both."
wait -n "$WPID" "$QPID"
stop
