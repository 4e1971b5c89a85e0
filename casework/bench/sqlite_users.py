"""The embedded default under 5 concurrent officers (issue 15: "SQLite embedded default, 5 concurrent users:
0 failures (writers wait)"). Run by ``make bench`` as a child process (its own database settings):
``python -m casework.bench.sqlite_users``. It migrates a SQLite file under var/bench/, loads BENCH_SQLITE_CUSTOMERS
(default 5000) bench customers with the bulk loader, serves it as ``make run`` does (runserver, DEBUG on) and drives
the mixed officer load (with its lock + unlock writes) with 5 users for BENCH_HTTP_SECONDS. The last line of output
is the JSON result."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    path = ROOT / "var" / "bench" / "embedded.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from . import loader
    from .http import MIX, Officer, Server, drive, lock_officers, prepare_officers

    n = int(os.environ.get("BENCH_SQLITE_CUSTOMERS", "5000"))
    seconds = float(os.environ.get("BENCH_HTTP_SECONDS", "20"))
    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    load = loader.load(n)
    numbers = [k for k in lock_officers(5) if k * loader.CUSTOMERS_PER_OFFICER < n] or [2]
    prepare_officers(numbers)
    server = Server(url, embedded=True)
    try:
        server.wait_ready()
        officers = [Officer(server.base, numbers[u % len(numbers)], n, 5, u) for u in range(5)]
        for o in officers:
            o.sign_in()
        result = drive(officers, MIX, seconds)
    finally:
        server.stop()
    print(json.dumps({"customers": n, "load": load, "server": "runserver (make run), SQLite", "mixed@5": result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
