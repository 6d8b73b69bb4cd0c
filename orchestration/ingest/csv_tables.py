"""Typed CSV tables: parse each record, quarantine what fails, COPY the rest, upsert on natural keys."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import psycopg
from psycopg import sql

from api_contracts.vocabulary import DEFAULT_TIME_ZONE
from orchestration.ingest.files import check_input_file, finish_file, quarantine, register_file, sha256_of
from orchestration.ingest.summary import FileSummary

csv.field_size_limit(16 * 1024 * 1024)


class BadValue(ValueError):
    """A value that does not fit its column; the message is the quarantine reason."""


Parser = Callable[[str], str | None]


def text(value: str) -> str | None:
    value = value.strip()
    return value or None


def integer(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadValue(f"not an integer: {value!r}") from None
    if number != number.to_integral_value():
        raise BadValue(f"not an integer: {value!r}")
    if not -(2**31) <= number < 2**31:
        raise BadValue(f"integer out of range: {value!r}")
    return str(int(number))


def decimal(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise BadValue(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise BadValue(f"not a finite number: {value!r}")
    return str(number)


_TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def timestamp(value: str) -> str | None:
    """A local wall-clock timestamp; the load's session time zone turns it into timestamptz."""
    value = value.strip()
    if not value:
        return None
    for fmt in _TIMESTAMP_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).isoformat(sep=" ")
        except ValueError:
            continue
    raise BadValue(f"not a date-time: {value!r}")


def date(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadValue(f"not a date (yyyy-mm-dd): {value!r}") from None


def one_of(*allowed: str) -> Parser:
    def parse(value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        if value not in allowed:
            raise BadValue(f"unknown value {value!r} (expected one of {', '.join(allowed)})")
        return value

    return parse


def between(low: int, high: int) -> Parser:
    def parse(value: str) -> str | None:
        parsed = integer(value)
        if parsed is not None and not low <= int(parsed) <= high:
            raise BadValue(f"{value.strip()!r} out of range {low}-{high}")
        return parsed

    return parse


def digits(count: int) -> Parser:
    pattern = re.compile(rf"^\d{{{count}}}$")

    def parse(value: str) -> str | None:
        cleaned = re.sub(r"[.\-/\s]", "", value)
        if not cleaned:
            return None
        if not pattern.match(cleaned):
            raise BadValue(f"{value.strip()!r} is not {count} digits")
        return cleaned

    return parse


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser = text
    required: bool = False


Rejected = tuple[int, str, str]  # line number, raw text, reason
# Checks of the staged rows against the database before they are upserted (e.g. the registry's
# identities): (connection, staged temp table, file_id, summary) -> the lines it rejected (already
# removed from the staged table). The staged table has the raw columns plus _line and _raw.
Settle = Callable[[psycopg.Connection, sql.Identifier, int, FileSummary], list[Rejected]]


@dataclass(frozen=True)
class CsvTable:
    """One CSV layout mapped to one raw table (the CSV header names are the raw column names)."""

    source: str
    table: str
    columns: Sequence[Column]
    key: Sequence[str]
    domain: str
    time_zone: str = DEFAULT_TIME_ZONE
    optional_columns: Sequence[str] = ()
    settle: Settle | None = None

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


# a quoted field may hold line breaks (Olist review comments); a quote that never closes would swallow
# the rest of the file: past this many lines the record is given up and read again line by line
MAX_RECORD_LINES = 200
ENCODINGS = ("utf-8", "cp1252", "latin-1")


def detect_encoding(path: Path) -> str:
    """UTF-8 when the whole file is valid UTF-8, else Windows-1252 (the usual "Latin-1" of spreadsheets
    exported on Windows), else ISO-8859-1, which reads any byte."""

    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _balanced(text: str) -> bool:
    """Every quote is closed (an escaped quote "" counts twice, so an even count means closed)."""
    return text.count('"') % 2 == 0


def _records(
    path: Path, encoding: str, width: int | None = None
) -> Generator[tuple[int, str, list[str]], None, None]:
    """(first line number, raw text, fields) per CSV record; quoted fields may span lines. A record whose
    quote never closes, or that spans lines and still has the wrong number of fields (``width``), is
    given up: its first line comes back alone (its fields as read) and the next lines are read again,
    so one broken quote damages one line, not the rest of the file."""

    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as handle:
        pending: deque[tuple[int, str]] = deque()
        numbered = enumerate(handle, start=1)

        def fill(count: int) -> bool:
            while len(pending) < count:
                item = next(numbered, None)
                if item is None:
                    return False
                pending.append(item)
            return True

        while fill(1):
            first_number = pending[0][0]
            taken = 1
            text = pending[0][1]
            while not _balanced(text) and taken < MAX_RECORD_LINES and fill(taken + 1):
                text += pending[taken][1]
                taken += 1
            fields = _fields(text)
            if taken > 1 and (not _balanced(text) or (width is not None and len(fields) != width)):
                taken, text = 1, pending[0][1]  # give up this record: its first line alone
                fields = _fields(text)
            for _ in range(taken):
                pending.popleft()
            yield first_number, text.rstrip("\r\n"), fields


def _fields(text: str) -> list[str]:
    # the csv module refuses NUL bytes; keep the record (and its reason) instead of crashing
    cleaned = text.replace("\x00", "\ufffd") if "\x00" in text else text
    return next(csv.reader([cleaned], strict=False), [])


def load_csv_table(conn: psycopg.Connection, spec: CsvTable, path: Path) -> FileSummary:
    """Load one file inside the caller's transaction. A file already loaded is skipped."""
    summary = FileSummary(file_name=str(path), source=spec.source)
    check_input_file(path)
    file_id = register_file(conn, domain=spec.domain, source=spec.source, path=path, sha256=sha256_of(path))
    if file_id is None:
        summary.already_loaded = True
        return summary

    bad: list[tuple[int, str, str]] = []
    summary.encoding = detect_encoding(path)
    if summary.encoding != "utf-8":
        summary.reasons[f"notice: read as {summary.encoding} (not UTF-8)"] += 1
    first = _records(path, summary.encoding)
    header_line, header_raw, header = next(first, (1, "", []))
    first.close()
    header = [name.strip() for name in header]
    records = _records(path, summary.encoding, width=len(header))
    next(records, None)
    # a column that is neither required nor part of the key may be absent: its values load empty (or
    # the parser's default); declared optional columns are absent without a notice
    missing = [
        c.name
        for c in spec.columns
        if c.name not in header and (c.required or c.name in spec.key) and c.name not in spec.optional_columns
    ]
    absent = [
        c.name
        for c in spec.columns
        if c.name not in header and c.name not in missing and c.name not in spec.optional_columns
    ]
    if missing:
        reason = f"header lacks column(s) {', '.join(missing)}"
        bad.append((header_line, header_raw, reason))
        summary.lines = 1
        for line_number, raw, _fields in records:
            summary.lines += raw.count("\n") + 1
            bad.append((line_number, raw, reason))
        return _finish(conn, spec, file_id, path, summary, bad)
    for name in absent:
        summary.reasons[f"notice: no column {name} (loaded empty)"] += 1

    positions = [header.index(c.name) if c.name in header else None for c in spec.columns]
    key_index = [spec.names.index(name) for name in spec.key]
    seen: dict[tuple[str | None, ...], tuple[int, int]] = {}
    summary.lines = 1

    tmp = sql.Identifier(f"_load_{spec.table}")
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in spec.names)
    conn.execute(sql.SQL("set local timezone to {}").format(sql.Literal(spec.time_zone)))
    conn.execute(
        sql.SQL(
            "create temp table {} (like {} including defaults, _line integer, _raw text) on commit drop"
        ).format(tmp, sql.Identifier("raw", spec.table))
    )
    with conn.cursor().copy(sql.SQL("copy {} ({}, _line, _raw) from stdin").format(tmp, columns)) as copy:
        for line_number, raw, fields in records:
            summary.lines += raw.count("\n") + 1
            if not any(field.strip() for field in fields):
                if raw.strip():
                    bad.append((line_number, raw, "empty record"))
                continue
            if len(fields) != len(header):
                bad.append((line_number, raw, f"expected {len(header)} fields, found {len(fields)}"))
                continue
            try:
                row = tuple(
                    _parse(column, fields, position)
                    for column, position in zip(spec.columns, positions, strict=True)
                )
            except BadValue as exc:
                bad.append((line_number, raw, str(exc)))
                continue
            key = tuple(row[i] for i in key_index)
            fingerprint = hash(row)
            if key in seen:
                first_line, first_fingerprint = seen[key]
                if first_fingerprint == fingerprint:
                    summary.duplicates += 1
                else:
                    bad.append(
                        (
                            line_number,
                            raw,
                            f"duplicate key {_show_key(spec, key)} first seen on line "
                            f"{first_line} with other values",
                        )
                    )
                continue
            seen[key] = (line_number, fingerprint)
            copy.write_row((*row, line_number, raw))

    settled = spec.settle(conn, tmp, file_id, summary) if spec.settle else []
    bad.extend(settled)
    inserted, updated = _upsert(conn, spec, tmp, file_id)
    summary.loaded, summary.updated = inserted, updated
    summary.unchanged = len(seen) - len(settled) - inserted - updated
    return _finish(conn, spec, file_id, path, summary, bad)


def _parse(column: Column, fields: list[str], position: int | None) -> str | None:
    try:
        value = column.parse(fields[position] if position is not None else "")  # absent column: its default
    except BadValue as exc:
        raise BadValue(f"{column.name}: {exc}") from None
    if value is None and column.required:
        raise BadValue(f"{column.name}: missing")
    return value


def _show_key(spec: CsvTable, key: tuple[str | None, ...]) -> str:
    return ", ".join(f"{name}={value}" for name, value in zip(spec.key, key, strict=True))


def _upsert(conn: psycopg.Connection, spec: CsvTable, tmp: sql.Identifier, file_id: int) -> tuple[int, int]:
    target = sql.Identifier("raw", spec.table)
    names = spec.names
    values = [name for name in names if name not in spec.key]
    query = sql.SQL(
        """
        with upserted as (
            insert into {target} as target ({columns}, file_id)
            select {columns}, {file_id} from {tmp}
            on conflict ({key}) do update
               set {assignments}, file_id = excluded.file_id, loaded_at = now(),
                   loaded_xid = pg_current_xact_id()
             where ({old}) is distinct from ({new})
            returning (xmax = 0) as inserted
        )
        select count(*) filter (where inserted), count(*) filter (where not inserted) from upserted
        """
    ).format(
        target=target,
        tmp=tmp,
        file_id=sql.Literal(file_id),
        columns=sql.SQL(", ").join(sql.Identifier(name) for name in names),
        key=sql.SQL(", ").join(sql.Identifier(name) for name in spec.key),
        assignments=sql.SQL(", ").join(
            sql.SQL("{0} = excluded.{0}").format(sql.Identifier(name)) for name in values
        ),
        old=sql.SQL(", ").join(sql.SQL("target.{}").format(sql.Identifier(name)) for name in values),
        new=sql.SQL(", ").join(sql.SQL("excluded.{}").format(sql.Identifier(name)) for name in values),
    )
    row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def _finish(
    conn: psycopg.Connection,
    spec: CsvTable,
    file_id: int,
    path: Path,
    summary: FileSummary,
    bad: list[tuple[int, str, str]],
) -> FileSummary:
    quarantine(conn, file_id, spec.source, path.name, bad)
    summary.quarantined = len(bad)
    summary.reasons.update(reason_kind(reason) for _, _, reason in bad)
    finish_file(conn, file_id, summary)
    return summary


def reason_kind(reason: str) -> str:
    """Group reasons for the summary: "price: not a number: '12;5'" → "price: not a number: …"."""
    kind = re.sub(r"'[^']*'", "…", reason)
    kind = re.sub(r"=\S+", "=…", kind)
    return re.sub(r"\d+", "N", kind)
