"""A scheduled job used by `make cluster-check`: it counts its own runs per period in Redis, so the check can prove
that with two job workers on the Redis broker each scheduled run happens once."""

from __future__ import annotations

import os
import socket

from django.conf import settings

from . import clock


def tick() -> str:
    import redis

    url = settings.Q_CLUSTER.get("redis") or os.environ.get("Q_REDIS_URL", "redis://127.0.0.1:6379/0")
    client = redis.Redis.from_url(url)
    period = clock.now().strftime("%Y%m%dT%H%M")
    key = f"casework:cluster-check:runs:{period}"
    runs = client.incr(key)
    client.expire(key, 3600)
    client.rpush("casework:cluster-check:who", f"{period} {socket.gethostname()}:{os.getpid()}")
    client.expire("casework:cluster-check:who", 3600)
    return f"{period} run {runs}"
