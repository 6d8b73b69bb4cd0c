"""Load AFD files into raw: punches, other records, employees registered by type-5 records.

Per file: one transaction (atomic), content hash (a reload is a no-op), and (REP number, NSR,
punched_at) for overlapping exports of the same clock (no duplicate punches). Every line ends up
loaded or in raw.quarantine with its reason; problems of the file itself (NSR gaps, trailer counts)
are recorded there as notices while the lines that reveal them still load.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import psycopg
from psycopg import sql

from orchestration.ingest.afd import (
    DEFAULT_TIME_ZONE,
    Notice,
    Record,
    audit_stream,
    local_to_aware,
    parse_lines,
    read_lines,
)
from orchestration.ingest.csv_tables import reason_kind
from orchestration.ingest.files import finish_file, quarantine, register_file, sha256_of
from orchestration.ingest.summary import FileSummary
from orchestration.runtime.database import ConnectionInfo

PUNCH_COLUMNS = (
    "rep_number",
    "nsr",
    "punched_at",
    "local_punched_at",
    "time_zone",
    "identifier_kind",
    "identifier",
    "record_type",
    "layout",
    "crc_status",
    "file_id",
    "line_number",
)
RECORD_COLUMNS = (
    "rep_number",
    "nsr",
    "record_type",
    "layout",
    "occurred_at",
    "payload",
    "file_id",
    "line_number",
)


def ingest_afd_file(admin: ConnectionInfo, path: Path, time_zone: str = DEFAULT_TIME_ZONE) -> FileSummary:
    with admin.connect() as conn, conn.transaction():
        return load_afd(conn, path, time_zone)


def load_afd(conn: psycopg.Connection, path: Path, time_zone: str = DEFAULT_TIME_ZONE) -> FileSummary:
    summary = FileSummary(file_name=str(path), source="afd")
    file_id = register_file(conn, domain="controle_ponto", source="afd", path=path, sha256=sha256_of(path))
    if file_id is None:
        summary.already_loaded = True
        return summary

    conn.execute("create temp table _afd_punches (like raw.afd_punches including defaults) on commit drop")
    conn.execute("create temp table _afd_records (like raw.afd_records including defaults) on commit drop")
    rejected: list[Notice] = []
    notices: list[Notice] = []
    rep_number = ""
    crc_mismatches = 0
    lines = 0

    def counted() -> object:
        nonlocal lines
        for item in read_lines(path):
            lines = item[0]
            yield item

    auditor = audit_stream()
    next(auditor)
    cursor = conn.cursor()
    punch_copy_sql = sql.SQL("copy _afd_punches ({}) from stdin").format(
        sql.SQL(", ").join(map(sql.Identifier, PUNCH_COLUMNS))
    )
    record_copy_sql = sql.SQL("copy _afd_records ({}) from stdin").format(
        sql.SQL(", ").join(map(sql.Identifier, RECORD_COLUMNS))
    )
    other: list[tuple[object, ...]] = []
    with cursor.copy(punch_copy_sql) as copy:
        for item in parse_lines(counted()):  # type: ignore[arg-type]
            if isinstance(item, Notice):
                rejected.append(item)
                continue
            notices.extend(auditor.send(item) or [])
            if item.record_type == "1":
                rep_number = item.fields.get("rep_number", "") or rep_number
            if item.crc_status == "mismatch":
                crc_mismatches += 1
            if item.record_type in ("3", "7"):
                copy.write_row(_punch_row(item, rep_number, time_zone, file_id))
            else:
                other.append(_record_row(item, rep_number, time_zone, file_id))
    with cursor.copy(record_copy_sql) as copy:
        for row in other:
            copy.write_row(row)

    summary.lines = lines
    inserted = conn.execute(
        sql.SQL(
            """
            with inserted as (
                insert into raw.afd_punches ({columns})
                select {columns} from _afd_punches
                on conflict (rep_number, nsr, punched_at) do nothing
                returning 1
            )
            select count(*) from inserted
            """
        ).format(columns=sql.SQL(", ").join(map(sql.Identifier, PUNCH_COLUMNS)))
    ).fetchone()
    staged = conn.execute("select count(*) from _afd_punches").fetchone()
    assert inserted is not None and staged is not None
    summary.loaded = int(inserted[0])
    summary.duplicates = int(staged[0]) - summary.loaded
    conn.execute(
        sql.SQL(
            """
            insert into raw.afd_records ({columns})
            select {columns} from _afd_records
            on conflict (rep_number, nsr, record_type, file_id) do nothing
            """
        ).format(columns=sql.SQL(", ").join(map(sql.Identifier, RECORD_COLUMNS)))
    )
    _register_employees(conn)
    summary.other_records = len(other)
    quarantine(conn, file_id, "afd", path.name, ((n.line_number, n.raw, n.reason) for n in rejected))
    quarantine(conn, file_id, "afd", path.name, ((n.line_number, n.raw, n.reason) for n in notices), "notice")
    summary.quarantined = len(rejected)
    summary.reasons.update(reason_kind(n.reason) for n in rejected)
    summary.reasons.update(f"notice: {reason_kind(n.reason)}" for n in notices)
    if crc_mismatches:
        summary.reasons["bad CRC (kept, flagged crc_status=mismatch)"] += crc_mismatches
    finish_file(conn, file_id, summary)
    return summary


def _punch_row(record: Record, rep_number: str, zone: str, file_id: int) -> tuple[object, ...]:
    punched_at: dt.datetime | None = record.occurred_at
    local, used_zone = None, None
    if record.local_time is not None:
        punched_at, local, used_zone = local_to_aware(record.local_time, zone), record.local_time, zone
    return (
        rep_number,
        record.nsr,
        punched_at,
        local,
        used_zone,
        record.fields["identifier_kind"],
        record.fields["identifier"],
        record.record_type,
        record.layout,
        record.crc_status,
        file_id,
        record.line_number,
    )


def _record_row(record: Record, rep_number: str, zone: str, file_id: int) -> tuple[object, ...]:
    occurred = record.occurred_at or (local_to_aware(record.local_time, zone) if record.local_time else None)
    payload = dict(record.fields)
    if record.crc_status != "absent":
        payload["crc_status"] = record.crc_status
    nsr = record.nsr if record.nsr is not None else -record.line_number  # trailer/signature: keyed by line
    return (
        rep_number,
        nsr,
        record.record_type,
        record.layout,
        occurred,
        json.dumps(payload),
        file_id,
        record.line_number,
    )


def _register_employees(conn: psycopg.Connection) -> None:
    """Type-5 inclusions of people the registry lacks create employees (origin 'afd')."""
    conn.execute(
        """
        insert into raw.employees (employee_id, name, cpf, pis, origin)
        select distinct on (identifier)
            'AFD-' || identifier,
            coalesce(nullif(name, ''), 'unnamed ' || identifier),
            case when kind = 'cpf' then identifier end,
            case when kind = 'pis' then identifier end,
            'afd'
        from (
            select payload ->> 'identifier' as identifier, payload ->> 'identifier_kind' as kind,
                   payload ->> 'name' as name, line_number
            from _afd_records
            where record_type = '5' and payload ->> 'operation' in ('I', 'A')
        ) as changes
        where not exists (
            select from raw.employees as known
            where (changes.kind = 'pis' and known.pis = changes.identifier)
               or (changes.kind = 'cpf' and known.cpf = changes.identifier)
        )
        order by identifier, line_number desc
        on conflict (employee_id) do nothing
        """
    )
