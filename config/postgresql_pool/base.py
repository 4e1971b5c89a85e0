"""Django's PostgreSQL backend with the pool's health check of ``config/dbpool.py`` (issue 15).

Django builds the psycopg pool itself and passes ``check=ConnectionPool.check_connection`` (a round trip on every
checkout) when ``CONN_HEALTH_CHECKS`` is on, ``None`` when it is off, so the check cannot be given in the pool's
OPTIONS. This backend (``ENGINE = "config.postgresql_pool"``, chosen by ``config/settings.py`` when ``DB_POOL`` is on)
installs ``check_if_idle`` on the pool when it is created; everything else is Django's backend.
"""

from __future__ import annotations

from django.db.backends.postgresql import base

from config.dbpool import check_if_idle


class DatabaseWrapper(base.DatabaseWrapper):
    @property
    def pool(self):
        pool = super().pool
        if pool is not None and getattr(pool, "_check", None) is not check_if_idle:
            # psycopg_pool keeps the callback as ``_check`` (3.1 and later); it is read at each checkout.
            pool._check = check_if_idle
        return pool
