"""``python -m casework.bench.request_cost`` sets the production environment and calls ``django.setup()`` before it
imports anything that imports models (it imported ``.http`` first, whose ``.loader`` imports the audit models:
AppRegistryNotReady before a single request was measured)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_request_cost_sets_django_up_before_it_imports_models():
    code = ("from casework.bench import request_cost as r; r._setup(); "
            "from casework.bench.http import lock_officers; from django.conf import settings; "
            "print(settings.SETTINGS_MODULE)")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(BENCH_DATABASE_URL="postgres://nobody@127.0.0.1:9/not_connected", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("config.settings_production")
