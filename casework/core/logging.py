"""Log records carry the request (or job) id; production writes one JSON object a line for the log collector."""

from __future__ import annotations

import datetime as dt
import json
import logging

from .context import request_id_var, system_actor_var

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "actor"}


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` (and the job actor, when a job is running) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # django.request logs after the middleware has returned: the request itself still carries its id.
        request = getattr(record, "request", None)
        record.request_id = request_id_var.get() or getattr(request, "request_id", "") or "-"
        record.actor = system_actor_var.get() or ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get() or None,
        }
        actor = getattr(record, "actor", "")
        if actor:
            payload["actor"] = actor
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                payload[key] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)
