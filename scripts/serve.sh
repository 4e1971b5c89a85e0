#!/usr/bin/env bash
# Serve the app and its django-q2 job worker together. Ctrl-C (INT), TERM, or either process exiting stops both.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
$PY manage.py qcluster &
QPID=$!
$PY manage.py runserver --noreload "$HOST:$PORT" &
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
echo "Serving on http://$HOST:$PORT/ with the job worker (pids $WPID, $QPID). Ctrl-C stops both."
wait -n "$WPID" "$QPID"
stop
