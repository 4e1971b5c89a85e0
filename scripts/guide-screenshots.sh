#!/usr/bin/env bash
# Copies the screenshots the user guide shows (docs/user-guide/*.md, "img/<name>.png") from var/screenshots/, where
# the browser journeys write them. Run after the browser tests (make test); commit docs/user-guide/img/.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=0
for name in $(grep -oh 'img/[A-Za-z0-9_.-]*\.png' docs/user-guide/*.md | sort -u | sed 's#img/##'); do
  if [ -f "var/screenshots/$name" ]; then
    cp "var/screenshots/$name" "docs/user-guide/img/$name"
  else
    echo "not made by the browser tests: var/screenshots/$name" >&2; missing=1
  fi
done
exit $missing
