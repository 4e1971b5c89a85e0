"""gunicorn settings for `make serve-prod` (and production). Every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}")
# Issue 15, measured back to back on 2 cores (docs/benchmarks.md, "The fixed cost of a request"): one gthread worker
# per core with 4 threads each served more requests per second at 5 officers, with less CPU per request, than
# 2 x cores + 1 sync workers: half the processes (less switching, one connection pool per process shared by its
# threads) and HTTP keep-alive (a sync worker closes the connection after every response). A thread waiting on
# PostgreSQL lets another run; the GIL keeps one process to one core, hence one process per core.
# GUNICORN_THREADS=1 gives the sync workers again (then WEB_CONCURRENCY=2 x cores + 1).
workers = int(os.environ.get("WEB_CONCURRENCY", str(multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))  # recycle workers: bounded memory growth
max_requests_jitter = 500
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
# One JSON object a line, with the request id the app returns (X-Request-ID), for the log collector.
access_log_format = (
    '{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s","status":%(s)s,'
    '"bytes":"%(B)s","duration_ms":%(M)s,"request_id":"%({x-request-id}o)s"}'
)
errorlog = "-"
