"""Stream rows from a CSV or JSON Lines file without loading it whole: ``(line number, row)`` pairs."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any


def detect_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise ValueError(f"Cannot tell the format of {path}: use .csv or .jsonl (or --format).")


def jsonl_rows(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """One JSON object per line; blank lines are skipped. A line that is not an object yields an ``_error`` row."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            yield number, {"_error": f"Not valid JSON: {exc.msg} (column {exc.colno})."}
            continue
        if not isinstance(row, dict):
            yield number, {"_error": "Each line must be one JSON object."}
            continue
        yield number, row


def csv_rows(stream: IO[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """A header row, then one record a row (the header is the union of every record type's columns used). The line
    number is the physical line the row starts on."""
    reader = csv.DictReader(stream)
    start = 2
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def rows(stream: IO[str], fmt: str) -> Iterator[tuple[int, dict[str, Any]]]:
    return jsonl_rows(stream) if fmt == "jsonl" else csv_rows(stream)
