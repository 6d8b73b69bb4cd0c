"""Load AFD files into raw: punches, other records, employees registered by type-5 records.

Per file: one transaction (atomic) and a content hash over its lines, whatever their line endings (a
reload is a no-op). **An NSR is unique per REP** (and NSR run: a clock that restarts its count at 1
opens a new run from the instant of the first record after the restart; a record belongs to the latest
run that began at or before it): the same REP + NSR with the same content adds nothing (overlapping
exports), with other content it is a conflict, quarantined with both files and lines named; the first
load wins. Every line ends up loaded or in raw.quarantine with its reason; problems of the file itself
(NSR gaps and restarts, trailer counts, a broken REP-P hash chain) are recorded there as notices while
the lines that reveal them still load. The national holidays of the years loaded are added in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

from api_contracts.vocabulary import DEFAULT_TIME_ZONE
from orchestration.ingest.afd import (
    FileAuditor,
    Notice,
    Record,
    content_sha256,
    local_to_aware,
    parse_lines,
    read_lines,
)
from orchestration.ingest.csv_tables import reason_kind
from orchestration.ingest.files import check_input_file, finish_file, quarantine, register_file
from orchestration.ingest.holidays_sync import upsert_national_holidays
from orchestration.ingest.summary import FileSummary, LoadSummary
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
    "crc_algorithm",
    "record_hash",
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
# what makes two numbered records "the same content" (an overlapping export) or a conflict
_PUNCH_CONTENT = (
    "{t}.record_type || '|' || coalesce({t}.local_punched_at::text, {t}.punched_at::text)"
    " || '|' || {t}.identifier_kind || '|' || {t}.identifier"
)
_RECORD_CONTENT = "{t}.record_type || '|' || {t}.payload::text"
_REP_IN_FILE_NAME = re.compile(r"AFD0*(\d{1,17})", re.IGNORECASE)


def materialization(summary: LoadSummary) -> dict[str, int]:
    """What raw.afd_punches' materialization records of a load of AFD files, however it was loaded."""
    return {
        "files": len(summary.files),
        "loaded": summary.total("loaded"),
        "duplicates": summary.total("duplicates"),
        "quarantined": summary.total("quarantined"),
        "already_loaded_files": sum(item.already_loaded for item in summary.files),
    }


def ingest_afd_file(admin: ConnectionInfo, path: Path, time_zone: str = DEFAULT_TIME_ZONE) -> FileSummary:
    with admin.connect() as conn, conn.transaction():
        return load_afd(conn, path, time_zone)


def load_afd(conn: psycopg.Connection, path: Path, time_zone: str = DEFAULT_TIME_ZONE) -> FileSummary:
    summary = FileSummary(file_name=str(path), source="afd")
    check_input_file(path)
    sha256 = content_sha256(path)
    file_id = register_file(conn, domain="controle_ponto", source="afd", path=path, sha256=sha256)
    if file_id is None:
        summary.already_loaded = True
        return summary

    for table in ("afd_punches", "afd_records"):
        conn.execute(
            sql.SQL("create temp table {} (like {} including defaults, raw_text text) on commit drop").format(
                sql.Identifier(f"_{table}"), sql.Identifier("raw", table)
            )
        )
    rejected: list[Notice] = []
    notices: list[Notice] = []
    auditor = FileAuditor()
    default_rep = _rep_from_file_name(path, sha256)
    crc_mismatches = 0
    lines = 0
    first_numbered: Record | None = None

    def counted() -> Iterator[tuple[int, str]]:
        nonlocal lines
        for item in read_lines(path):
            lines = item[0]
            yield item

    other: list[tuple[object, ...]] = []
    cursor = conn.cursor()
    with cursor.copy(_copy_sql("_afd_punches", PUNCH_COLUMNS)) as copy:
        for item in parse_lines(counted()):
            if isinstance(item, Notice):
                rejected.append(item)
                continue
            notices.extend(auditor.check(item))
            rep_number = auditor.rep_number or default_rep
            if item.crc_status == "mismatch":
                crc_mismatches += 1
            if first_numbered is None and item.nsr and item.record_type != "1":
                first_numbered = item
            if item.record_type in ("3", "7"):
                copy.write_row(_punch_row(item, rep_number, time_zone, file_id))
            else:
                other.append(_record_row(item, rep_number, time_zone, file_id))
    with cursor.copy(_copy_sql("_afd_records", RECORD_COLUMNS)) as copy:
        for row in other:
            copy.write_row(row)
    summary.lines = lines
    summary.other_records = len(other)

    _lock_reps(conn)
    if auditor.chain_start is not None:
        previous = _previous_rep_p_hash(conn, auditor.rep_number or default_rep, auditor.chain_start.nsr or 0)
        notices.extend(auditor.check_chain_start(previous))
    notices.extend(_open_nsr_runs(conn, auditor, first_numbered, time_zone, file_id))
    conflicts, duplicates = _settle_numbered_records(conn, path.name)
    inserted = conn.execute(
        sql.SQL(
            "with inserted as (insert into raw.afd_punches ({columns}, nsr_run_started_at)"
            " select {columns}, nsr_run_started_at from _afd_punches returning 1)"
            " select count(*) from inserted"
        ).format(columns=_columns(PUNCH_COLUMNS))
    ).fetchone()
    conn.execute(
        sql.SQL(
            "insert into raw.afd_records ({columns}, nsr_run_started_at)"
            " select {columns}, nsr_run_started_at from _afd_records"
        ).format(columns=_columns(RECORD_COLUMNS))
    )
    summary.loaded = int(inserted[0]) if inserted else 0
    summary.duplicates = duplicates
    _register_employees(conn)
    _add_holidays_of_the_file(conn)

    rejected.extend(conflicts)
    quarantine(conn, file_id, "afd", path.name, [_row(n) for n in rejected])
    new_notices = _quarantine_new_notices(conn, file_id, path.name, notices)
    summary.quarantined = len(rejected)
    summary.reasons.update(reason_kind(n.reason) for n in rejected)
    summary.reasons.update(f"notice: {reason_kind(n.reason)}" for n in new_notices)
    if crc_mismatches:
        summary.reasons["bad CRC (kept, flagged crc_status=mismatch)"] += crc_mismatches
    finish_file(conn, file_id, summary)
    return summary


def _copy_sql(table: str, columns: tuple[str, ...]) -> sql.Composed:
    return sql.SQL("copy {} ({}, raw_text) from stdin").format(sql.Identifier(table), _columns(columns))


def _columns(columns: tuple[str, ...]) -> sql.Composed:
    return sql.SQL(", ").join(map(sql.Identifier, columns))


def _rep_from_file_name(path: Path, sha256: str) -> str:
    """The REP of a file without a header: the number in its name (AFD<REP>…), else the file itself."""
    found = _REP_IN_FILE_NAME.match(path.name)
    return found.group(1).rjust(17, "0") if found else f"unknown:{sha256[:16]}"


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
        record.crc_algorithm,
        record.fields.get("hash", "").lower() or None,
        file_id,
        record.line_number,
        record.raw,
    )


def _instant(record: Record, zone: str) -> dt.datetime | None:
    if record.occurred_at is not None:
        return record.occurred_at
    return local_to_aware(record.local_time, zone) if record.local_time else None


def _record_row(record: Record, rep_number: str, zone: str, file_id: int) -> tuple[object, ...]:
    payload = dict(record.fields)
    if record.crc_status != "absent":
        payload["crc_status"] = record.crc_status
        if record.crc_algorithm:
            payload["crc_algorithm"] = record.crc_algorithm
    nsr = record.nsr if record.nsr is not None else -record.line_number  # trailer/signature: keyed by line
    return (
        rep_number,
        nsr,
        record.record_type,
        record.layout,
        _instant(record, zone),
        json.dumps(payload),
        file_id,
        record.line_number,
        record.raw,
    )


def _previous_rep_p_hash(conn: psycopg.Connection, rep_number: str, nsr: int) -> str | None:
    row = conn.execute(
        "select record_hash from raw.afd_punches where rep_number = %s and record_type = '7' and nsr < %s"
        " order by nsr_run_started_at desc, nsr desc limit 1",
        (rep_number, nsr),
    ).fetchone()
    return row[0] if row else None


def _lock_reps(conn: psycopg.Connection) -> None:
    """Two loads of the same clock wait for each other (the NSR checks below read what is committed)."""
    conn.execute(
        "select pg_advisory_xact_lock(hashtextextended('bi-dash afd ' || rep_number, 0)) from ("
        " select rep_number from _afd_punches union select rep_number from _afd_records"
        " order by 1) as reps"
    )


def _open_nsr_runs(
    conn: psycopg.Connection,
    auditor: FileAuditor,
    first_numbered: Record | None,
    zone: str,
    file_id: int,
) -> list[Notice]:
    """Record where this file shows the clock restarting its NSR count, and give every staged record
    (and records loaded before, when a run opens before them) its NSR run."""
    notices: list[Notice] = []
    starts = [
        (record, instant) for record in auditor.restarts if (instant := _instant(record, zone)) is not None
    ]
    rep_number = auditor.rep_number
    if first_numbered is not None and first_numbered.nsr == 1 and rep_number:
        # a file that starts again at NSR 1 after everything loaded from its clock: a restart between files
        instant = _instant(first_numbered, zone)
        latest = conn.execute(
            "select greatest((select max(punched_at) from raw.afd_punches where rep_number = %s),"
            " (select max(occurred_at) from raw.afd_records where rep_number = %s and nsr > 0))",
            (rep_number, rep_number),
        ).fetchone()
        if instant is not None and latest and latest[0] is not None and instant > latest[0]:
            starts.append((first_numbered, instant))
            notices.append(
                Notice(
                    first_numbered.line_number,
                    first_numbered.raw,
                    f"NSR restarted at 1 after the records loaded before from REP {rep_number}:"
                    " a new NSR run of the clock begins here",
                    "nsr_restart",
                )
            )
    for record, instant in starts:
        opened = conn.execute(
            "insert into raw.afd_rep_runs (rep_number, started_at, file_id, line_number)"
            " values (%s, %s, %s, %s) on conflict do nothing returning started_at",
            (rep_number, instant, file_id, record.line_number),
        ).fetchone()
        if opened is None:
            continue
        for table, moment in (("afd_punches", "punched_at"), ("afd_records", "occurred_at")):
            conn.execute(
                sql.SQL(
                    "update raw.{table} as moved set nsr_run_started_at = %(start)s"
                    " where moved.rep_number = %(rep)s and moved.{moment} >= %(start)s"
                    " and moved.nsr_run_started_at < %(start)s and moved.nsr > 0 and not exists ("
                    " select from raw.{table} as taken where taken.rep_number = moved.rep_number"
                    " and taken.nsr_run_started_at = %(start)s and taken.nsr = moved.nsr)"
                ).format(table=sql.Identifier(table), moment=sql.Identifier(moment)),
                {"start": instant, "rep": rep_number},
            )
    for table, moment in (("_afd_punches", "punched_at"), ("_afd_records", "occurred_at")):
        conn.execute(
            sql.SQL(
                "update {table} as staged set nsr_run_started_at = coalesce(("
                " select max(runs.started_at) from raw.afd_rep_runs as runs"
                " where runs.rep_number = staged.rep_number and runs.started_at <= staged.{moment}"
                "), '-infinity')"
            ).format(table=sql.Identifier(table), moment=sql.Identifier(moment))
        )
    return notices


def _numbered(punches: str, records: str, extra: str) -> sql.SQL:
    """The punches and the numbered records (NSR > 0) of two tables, one row per NSR: kind, REP, NSR
    run, NSR, line, the ``extra`` column and the content an NSR's repeat is compared by."""
    p, r = (
        ", ".join(f"{t}.{c}" for c in ("rep_number", "nsr_run_started_at", "nsr", "line_number", extra))
        for t in "pr"
    )
    return sql.SQL(
        f"select 'punch' as kind, {p}, {_PUNCH_CONTENT.format(t='p')} as content from {punches} as p"
        f" union all select 'record', {r}, {_RECORD_CONTENT.format(t='r')} from {records} as r"
        " where r.nsr > 0"
    )


def _settle_numbered_records(conn: psycopg.Connection, file_name: str) -> tuple[list[Notice], int]:
    """Apply "an NSR is unique per REP": staged records whose NSR is already known with the same content
    are dropped (duplicates), with other content they are conflicts (quarantined; the first load wins).
    Returns the conflicts and the number of duplicate punches."""
    staged = _numbered("_afd_punches", "_afd_records", "raw_text")
    known = _numbered("raw.afd_punches", "raw.afd_records", "file_id")
    rows = conn.execute(
        sql.SQL(
            """
            with staged as ({staged}),
            ranked as (
                select staged.*,
                       first_value(line_number) over same_nsr as first_line,
                       first_value(content) over same_nsr as first_content,
                       row_number() over same_nsr as rank
                from staged
                window same_nsr as (partition by rep_number, nsr_run_started_at, nsr order by line_number)
            )
            select ranked.kind, ranked.line_number, ranked.raw_text, ranked.nsr, ranked.rep_number,
                   case
                       when known.content = ranked.content then 'duplicate'
                       when known.content is not null then 'conflict'
                       when ranked.rank > 1 and ranked.content = ranked.first_content then 'duplicate'
                       when ranked.rank > 1 then 'conflict_in_file'
                   end as outcome,
                   coalesce(files.file_name, %s) as first_file,
                   coalesce(known.line_number, ranked.first_line) as first_line
            from ranked
            left join ({known}) as known
                on known.rep_number = ranked.rep_number
                and known.nsr_run_started_at = ranked.nsr_run_started_at
                and known.nsr = ranked.nsr
            left join raw.ingested_files as files on files.file_id = known.file_id
            where known.content is not null or ranked.rank > 1
            """
        ).format(staged=staged, known=known),
        (file_name,),
    ).fetchall()
    conflicts: list[Notice] = []
    duplicates = 0
    dropped: dict[str, list[int]] = {"punch": [], "record": []}
    for kind, line_number, raw_text, nsr, rep_number, outcome, first_file, first_line in rows:
        dropped[kind].append(line_number)
        if outcome == "duplicate":
            duplicates += kind == "punch"
            continue
        conflicts.append(
            Notice(
                line_number,
                raw_text,
                f"NSR conflict: NSR {nsr} of REP {rep_number} was first loaded from {first_file} line"
                f" {first_line} with other content; this is {file_name} line {line_number}"
                " (the first load wins)",
                "nsr_conflict",
            )
        )
    for kind, table in (("punch", "_afd_punches"), ("record", "_afd_records")):
        if dropped[kind]:
            conn.execute(
                sql.SQL("delete from {} where line_number = any(%s)").format(sql.Identifier(table)),
                (dropped[kind],),
            )
    return conflicts, duplicates


def _quarantine_new_notices(
    conn: psycopg.Connection, file_id: int, file_name: str, notices: list[Notice]
) -> list[Notice]:
    """Notices are about the clock's records: one that an earlier file already reported is not repeated
    (an overlapping export shows the same NSR gap again)."""
    if not notices:
        return []
    known = {
        (row[0], row[1])
        for row in conn.execute(
            "select reason, raw_text from raw.quarantine where source = 'afd' and kind = 'notice'"
            " and raw_text = any(%s)",
            ([notice.raw for notice in notices],),
        )
    }
    fresh = [notice for notice in notices if (notice.reason, notice.raw) not in known]
    quarantine(conn, file_id, "afd", file_name, [_row(n) for n in fresh], "notice")
    return fresh


def _row(notice: Notice) -> tuple[int, str, str, str]:
    return notice.line_number, notice.raw, notice.reason, notice.category


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


def _add_holidays_of_the_file(conn: psycopg.Connection) -> None:
    row = conn.execute(
        "select extract(year from min(punched_at))::int, extract(year from max(punched_at))::int"
        " from _afd_punches"
    ).fetchone()
    if row and row[0] is not None:
        upsert_national_holidays(conn, int(row[0]), int(row[1]))
