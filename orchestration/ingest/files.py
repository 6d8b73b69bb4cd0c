"""Bookkeeping of loaded files: content hash (reloads are no-ops) and the quarantine."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import psycopg

from orchestration.errors import PlatformError
from orchestration.ingest.summary import FileSummary


def check_input_file(path: Path) -> None:
    """Only regular files are read: a symbolic link (it could point at any file of the machine) or a
    device, pipe or folder is refused with a clear reason."""

    if path.is_symlink():
        raise PlatformError(f"{path}: a symbolic link; name the file itself")
    if not path.is_file():
        raise PlatformError(f"{path}: not a regular file")


def make_private(path: Path) -> None:
    """Files holding personal data (CPF, PIS, names) are readable by their owner only: 0600 for
    files, 0700 for folders, recursively."""
    targets = [path, *path.rglob("*")] if path.is_dir() else [path]
    for target in targets:
        if not target.is_symlink():
            target.chmod(0o700 if target.is_dir() else 0o600)


def chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    """The file's bytes, a megabyte at a time: every pass over an input file streams."""
    with path.open("rb") as handle:
        yield from iter(lambda: handle.read(size), b"")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    for chunk in chunks(path):
        digest.update(chunk)
    return digest.hexdigest()


def register_file(
    conn: psycopg.Connection, *, domain: str, source: str, path: Path, sha256: str
) -> int | None:
    """Record the file; None when the same content was already loaded for this source."""
    row = conn.execute(
        """
        insert into raw.ingested_files (domain, source, file_name, content_sha256, size_bytes)
        values (%s, %s, %s, %s, %s)
        on conflict (source, content_sha256) do nothing
        returning file_id
        """,
        (domain, source, path.name, sha256, path.stat().st_size),
    ).fetchone()
    return None if row is None else int(row[0])


def finish_file(conn: psycopg.Connection, file_id: int, summary: FileSummary) -> None:
    conn.execute(
        """
        update raw.ingested_files
           set line_count = %s, loaded_count = %s, duplicate_count = %s, quarantined_count = %s
         where file_id = %s
        """,
        (summary.lines, summary.loaded + summary.updated, summary.duplicates, summary.quarantined, file_id),
    )


def quarantine(
    conn: psycopg.Connection,
    file_id: int,
    source: str,
    file_name: str,
    rows: Iterable[tuple[int, str, str] | tuple[int, str, str, str | None]],
    kind: str = "rejected",
) -> None:
    """Store (line_number, raw_text, reason[, category]) rows verbatim; kind 'rejected' (not loaded) or
    'notice' (loaded, but revealing a problem of the file); category names the problem for machines."""
    with conn.cursor().copy(
        "copy raw.quarantine (file_id, source, file_name, line_number, raw_text, reason, kind, category)"
        " from stdin"
    ) as copy:
        for line_number, raw_text, reason, *category in rows:
            copy.write_row(
                (
                    file_id,
                    source,
                    file_name,
                    line_number,
                    raw_text.replace("\x00", ""),
                    reason,
                    kind,
                    category[0] if category else None,
                )
            )
