#!/usr/bin/env bash
# Serve the app and its django-q2 job worker together; Ctrl-C (or the app exiting) stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
$PY manage.py qcluster &
QPID=$!
cleanup() {
  kill -TERM "$QPID" 2>/dev/null || true
  wait "$QPID" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
echo "Serving on http://$HOST:$PORT/ (job worker pid $QPID). Ctrl-C stops both."
$PY manage.py runserver --noreload "$HOST:$PORT"
