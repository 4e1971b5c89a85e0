# Sourced by serve.sh and serve-prod.sh: stop_procs PID... stops each process and its children. TERM first; whatever
# is still alive after STOP_GRACE seconds (default 10) gets KILL. The django-q2 cluster can ignore TERM while its
# workers finish (or hang), which used to leave `qcluster` running after Ctrl-C.
_tree() {  # the pid and all its descendants
  local pid="$1" child
  echo "$pid"
  for child in $(pgrep -P "$pid" 2>/dev/null); do _tree "$child"; done
}

stop_procs() {
  local pids="" pid alive i grace="${STOP_GRACE:-10}"
  for pid in "$@"; do pids="$pids $(_tree "$pid")"; done
  kill -TERM $pids 2>/dev/null
  for ((i = 0; i < grace * 5; i++)); do
    alive=""
    for pid in $pids; do kill -0 "$pid" 2>/dev/null && alive="$alive $pid"; done
    [ -z "$alive" ] && return 0
    sleep 0.2
  done
  echo "still running after ${grace}s, killing:$alive" >&2
  kill -KILL $alive 2>/dev/null
  return 0
}
