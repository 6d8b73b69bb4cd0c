"""Structured logs for the CLI and the pipeline: plain by default, JSON lines with --log-format json."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({key: value for key, value in record.__dict__.items() if key not in _RESERVED})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        extras = {key: value for key, value in record.__dict__.items() if key not in _RESERVED}
        suffix = "".join(f" {key}={value}" for key, value in extras.items())
        when = self.formatTime(record, "%H:%M:%S")
        return f"{when} {record.levelname:<7} {record.name}: {record.getMessage()}{suffix}"


def configure(log_format: str = "plain", level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else PlainFormatter())
    root = logging.getLogger("bi_dash")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(f"bi_dash.{name}")


MAX_LOG_BYTES = 10_000_000  # each log file; older content is kept in KEEP_LOGS numbered copies
KEEP_LOGS = 3


def rotate(
    log: Path, keep: int = KEEP_LOGS, max_bytes: int = MAX_LOG_BYTES, copytruncate: bool = False
) -> bool:
    """log → log.1 → … → log.<keep> (the oldest dropped) once log is larger than ``max_bytes``.

    ``copytruncate`` for a file a running process keeps open (in append mode, as every service log
    is): the content is copied aside and the file emptied in place, so the writer goes on writing into
    it. A few lines written between the copy and the truncation can be lost. True when rotated."""
    try:
        if log.stat().st_size <= max_bytes:
            return False
    except FileNotFoundError:
        return False
    for index in range(keep, 1, -1):
        newer = log.with_name(f"{log.name}.{index - 1}")
        if newer.exists():
            newer.replace(log.with_name(f"{log.name}.{index}"))
    first = log.with_name(f"{log.name}.1")
    if copytruncate:
        shutil.copyfile(log, first)
        with log.open("r+b") as handle:
            handle.truncate(0)
    else:
        log.replace(first)
    return True


def rotate_all(folder: Path, extra: tuple[Path, ...] = ()) -> list[Path]:
    """Rotate (copy-truncate) every *.log in ``folder`` and the ``extra`` files; returns those rotated."""
    return [log for log in (*sorted(folder.glob("*.log")), *extra) if rotate(log, copytruncate=True)]
