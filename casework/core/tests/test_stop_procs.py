"""scripts/stop-procs.sh (used by `make run` and `make serve-prod`): stopping leaves nothing running, even a job
worker that ignores TERM and its children (issue 15: `qcluster` used to survive Ctrl-C)."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_a_process_tree_that_ignores_term_is_killed_after_the_grace_period():
    script = f"""
    . {ROOT}/scripts/stop-procs.sh
    bash -c 'trap "" TERM; sleep 300 & sleep 300 & wait' &
    STUBBORN=$!
    sleep 300 &
    POLITE=$!
    sleep 0.5
    TREE="$(_tree $STUBBORN) $POLITE"
    STOP_GRACE=1 stop_procs "$STUBBORN" "$POLITE"
    sleep 0.3
    for p in $TREE; do
      if kill -0 "$p" 2>/dev/null && [ "$(ps -o stat= -p "$p" | cut -c1)" != Z ]; then echo "alive $p"; fi
    done
    echo done
    """
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip().endswith("done") and "alive" not in out.stdout, (out.stdout, out.stderr)
    assert "killing" in out.stderr  # the stubborn one needed KILL
