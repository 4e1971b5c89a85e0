#!/usr/bin/env bash
# Two app servers + two job workers on the Redis broker, one PostgreSQL primary and a streaming replica, on this
# machine; proves one lock-race winner, one run per scheduled period, and replica reports matching the primary.
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python scripts/cluster_check.py "$@"
