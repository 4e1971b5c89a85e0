"""Test helpers for what reaches the database."""

from __future__ import annotations


class StatementSpy:
    """Every statement run, with how many parameters it carried: install with ``connection.execute_wrapper(spy)``
    (the set-based sweeps assert one array parameter per id list, issue 15)."""

    def __init__(self):
        self.calls: list[tuple[str, int]] = []

    def __call__(self, execute, sql, params, many, context):
        self.calls.append((sql, len(params or ())))
        return execute(sql, params, many, context)
