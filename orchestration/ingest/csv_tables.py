"""Typed CSV tables: COPY stages a file, each column's rule checks its values (in SQL where it can,
else in Python), what fails goes to quarantine, the rest is upserted on natural keys."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path

import psycopg
from psycopg import sql

from api_contracts.vocabulary import DEFAULT_TIME_ZONE
from orchestration.ingest.files import (
    check_input_file,
    chunks,
    finish_file,
    quarantine,
    register_file,
    sha256_of,
)
from orchestration.ingest.summary import FileSummary
from orchestration.logs import get_logger

csv.field_size_limit(16 * 1024 * 1024)
log = get_logger("ingest")


class BadValue(ValueError):
    """A value that does not fit its column; the message is the quarantine reason."""


Parser = Callable[[str], str | None]
SqlTest = Callable[[sql.Composable], sql.Composable]


@dataclass(frozen=True)
class Rule:
    """How a column's text becomes its value.

    ``parse`` decides every value, and says why a bad one is bad. ``accepts`` is SQL over the value's
    stripped text (never raising) that is true only for values ``parse`` accepts as that same text
    cast to the column's type: a set-based load takes those rows in SQL and asks ``parse`` about the
    rest, so a reason is always ``parse``'s (``tests/db/test_csv_rules.py`` holds the two together).
    A column whose parser is a plain function is read record by record.

    ``accepts_pg16``, when given, is the same promise for PostgreSQL 16 and later, which can ask a type
    whether a text is valid input without raising (``pg_input_is_valid``): a value is taken when it is
    written exactly as PostgreSQL writes that value back (``canonical``), so the type's own input
    checks its digits, ranges and calendar. A regular expression costs 1-4 µs a value there, which was
    a third of a large Olist load (bench/README.md); the canonical test costs a third of that, or less.
    """

    parse: Parser
    accepts: SqlTest
    accepts_pg16: SqlTest | None = None

    def __call__(self, value: str) -> str | None:
        return self.parse(value)

    def test(self, server_version: int) -> SqlTest:
        """The SQL test for a server of this version (``server_version_num``)."""
        return self.accepts_pg16 if self.accepts_pg16 and server_version >= 160000 else self.accepts


# the load's DateStyle: what canonical() compares with is PostgreSQL's ISO output
DATESTYLE = "ISO, YMD"


def canonical(type_name: str, *, excluding: tuple[str, ...] = ()) -> SqlTest:
    """PostgreSQL 16+: the text is valid input of ``type_name`` and is what PostgreSQL writes back for
    that value (in the load's DateStyle), and is none of ``excluding``. Never raises: the cast runs
    only on valid input (a CASE fixes the order)."""

    def accepts(v: sql.Composable) -> sql.Composable:
        test = sql.SQL(
            "case when pg_input_is_valid({v}, {name}) then {v}::{type}::text = {v} else false end"
        ).format(v=v, name=sql.Literal(type_name), type=sql.SQL(type_name))
        if excluding:
            return sql.SQL("({} and {} <> all({}))").format(test, v, sql.Literal(list(excluding)))
        return test

    return accepts


def _pattern(regex: str) -> SqlTest:
    return lambda v: sql.SQL("{} ~ {}").format(v, sql.Literal(regex))


def _text(value: str) -> str | None:
    value = value.strip()
    return value or None


text = Rule(_text, lambda v: sql.SQL("true"))


def _number(value: str, what: str) -> Decimal | None:
    """The stripped value as a Decimal (None when empty); BadValue "not <what>" when it is no number."""
    value = value.strip()
    if not value:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        raise BadValue(f"not {what}: {value!r}") from None


def _integer(value: str) -> str | None:
    value = value.strip()
    number = _number(value, "an integer")
    if number is None:
        return None
    if number != number.to_integral_value():
        raise BadValue(f"not an integer: {value!r}")
    if not -(2**31) <= number < 2**31:
        raise BadValue(f"integer out of range: {value!r}")
    return str(int(number))


# nine digits always fit an integer; longer or otherwise written numbers are left to the parser
_INTEGER = "^[+-]?[0-9]{1,9}$"
_INTEGER_PG16 = canonical("int4")
integer = Rule(_integer, _pattern(_INTEGER), _INTEGER_PG16)


def _decimal(value: str) -> str | None:
    value = value.strip()
    number = _number(value, "a number")
    if number is None:
        return None
    if not number.is_finite():
        raise BadValue(f"not a finite number: {value!r}")
    return str(number)


decimal = Rule(
    _decimal,
    _pattern(r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$"),
    canonical("numeric", excluding=("NaN", "Infinity", "-Infinity")),
)


_TIMESTAMP_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


def _timestamp(value: str) -> str | None:
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


# yyyy-mm-dd with a month 01-12 and a day 01-31 (the day checked against its month below); a clock
# time 00:00 to 23:59:59; one regular expression is the cheapest test PostgreSQL has for it
_DAY = "[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9]"


def _calendar_day(shape: str) -> SqlTest:
    """``shape`` holds and the day exists: no 2018-02-30, no year 0 (Python's calendar starts at 1)."""

    def accepts(v: sql.Composable) -> sql.Composable:
        return sql.SQL(
            "case when {v} ~ {shape} then left({v}, 4) <> '0000' and (substr({v}, 9, 2) collate \"C\" <= '28'"
            " or substr({v}, 9, 2) collate \"C\" <= case substr({v}, 6, 2) when '02' then case"
            " when mod(left({v}, 4)::int, 4) = 0"
            " and (mod(left({v}, 4)::int, 100) <> 0 or mod(left({v}, 4)::int, 400) = 0) then '29'"
            " else '28' end when '04' then '30' when '06' then '30' when '09' then '30' when '11' then '30'"
            " else '31' end) else false end"
        ).format(v=v, shape=sql.Literal(shape))

    return accepts


# the formats above with two-digit fields (Python also reads 2018-1-5 3:04:05: the parser's to take)
_timestamp_accepts = _calendar_day(f"^{_DAY}( {_CLOCK}(:[0-5][0-9])?|T{_CLOCK}:[0-5][0-9])?$")

# PostgreSQL 16+: the commonest form, yyyy-mm-dd hh:mm:ss, as PostgreSQL writes it (its output has
# exactly that shape for years 1-9999 without fractions); the other forms as above
_TIMESTAMP_SHAPE = "____-__-__ __:__:__"


def _timestamp_accepts_pg16(v: sql.Composable) -> sql.Composable:
    return sql.SQL("case when {v} like {shape} then {canonical} else {other} end").format(
        v=v,
        shape=sql.Literal(_TIMESTAMP_SHAPE),
        canonical=canonical("timestamp")(v),
        other=_timestamp_accepts(v),
    )


timestamp = Rule(_timestamp, _timestamp_accepts, _timestamp_accepts_pg16)


def _date(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadValue(f"not a date (yyyy-mm-dd): {value!r}") from None


def _date_accepts_pg16(v: sql.Composable) -> sql.Composable:
    return sql.SQL("({} like '____-__-__' and {})").format(v, canonical("date")(v))


date = Rule(_date, _calendar_day(f"^{_DAY}$"), _date_accepts_pg16)


def one_of(*allowed: str) -> Rule:
    def parse(value: str) -> str | None:
        value = value.strip()
        if not value:
            return None
        if value not in allowed:
            raise BadValue(f"unknown value {value!r} (expected one of {', '.join(allowed)})")
        return value

    return Rule(parse, lambda v: sql.SQL("{} = any({})").format(v, sql.Literal(list(allowed))))


def between(low: int, high: int) -> Rule:
    def parse(value: str) -> str | None:
        parsed = _integer(value)
        if parsed is not None and not low <= int(parsed) <= high:
            raise BadValue(f"{value.strip()!r} out of range {low}-{high}")
        return parsed

    def within(test: SqlTest) -> SqlTest:
        return lambda v: sql.SQL(
            "case when {test} then {v}::int between {low} and {high} else false end"
        ).format(test=test(v), v=v, low=sql.Literal(low), high=sql.Literal(high))

    return Rule(parse, within(integer.accepts), within(_INTEGER_PG16))


def digits(count: int) -> Rule:
    pattern = re.compile(rf"^\d{{{count}}}$")

    def parse(value: str) -> str | None:
        cleaned = re.sub(r"[.\-/\s]", "", value)
        if not cleaned:
            return None
        if not pattern.match(cleaned):
            raise BadValue(f"{value.strip()!r} is not {count} digits")
        return cleaned

    # written without punctuation; "123.456.789-09" is the parser's to clean
    return Rule(parse, _pattern(f"^[0-9]{{{count}}}$"))


# what str.strip() strips, for SQL's btrim: written out, because deriving it walks every code point
# (0.2 s of every load); tests/unit/test_csv_values.py derives it and compares
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


@dataclass(frozen=True)
class Column:
    name: str
    parse: Parser = text
    required: bool = False


Rejected = tuple[int, str | None, str]  # line number, raw text (None: read from the file at the end), reason
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

    def __post_init__(self) -> None:
        # a key is what a repeat is matched on and what the upsert updates by: it always has a value
        optional = [c.name for c in self.columns if c.name in self.key and not c.required]
        if optional:
            raise ValueError(f"{self.table}: key column(s) {', '.join(optional)} must be required")

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
            for chunk in chunks(path):
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
    """Load one file inside the caller's transaction. A file already loaded is skipped.

    The file is staged in a temporary table, either set-based (PostgreSQL's COPY reads the CSV, SQL
    takes the values every rule accepts, the parsers judge the rest) or, when COPY refuses the file
    (a record of the wrong width, a quote that never closes, a blank line, a NUL byte, a line holding
    only \\. that would end its input early) or a column has
    no SQL form, record by record in Python. Either way the same rules and reasons apply from there:
    repeated keys, the spec's settle step, the upsert and the quarantine."""
    summary = FileSummary(file_name=str(path), source=spec.source)
    check_input_file(path)
    file_id = register_file(conn, domain=spec.domain, source=spec.source, path=path, sha256=sha256_of(path))
    if file_id is None:
        summary.already_loaded = True
        return summary

    bad: list[Rejected] = []
    summary.encoding = detect_encoding(path)
    if summary.encoding != "utf-8":
        summary.reasons[f"notice: read as {summary.encoding} (not UTF-8)"] += 1
    first = _records(path, summary.encoding)
    header_line, header_raw, header = next(first, (1, "", []))
    first.close()
    header = [name.strip() for name in header]
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
        summary.lines = line_count(path)
        for line_number, raw, _fields in _records(path, summary.encoding, width=len(header)):
            if line_number > header_line:
                bad.append((line_number, raw, reason))
        return _finish(conn, spec, file_id, path, summary, bad)
    for name in absent:
        summary.reasons[f"notice: no column {name} (loaded empty)"] += 1

    layout = _Layout(spec, header, header_lines=header_line + header_raw.count("\n"))
    tmp = sql.Identifier(f"_load_{spec.table}")
    conn.execute(sql.SQL("set local timezone to {}").format(sql.Literal(spec.time_zone)))
    conn.execute(sql.SQL("set local datestyle to {}").format(sql.Literal(DATESTYLE)))
    conn.execute(
        sql.SQL(
            "create temp table {} (like {} including defaults, _line integer, _raw text, _ord bigint,"
            " _ok boolean not null default true) on commit drop"
        ).format(tmp, sql.Identifier("raw", spec.table))
    )
    # a record SQL leaves to the parsers is staged with empty values first (and removed)
    conn.execute(
        sql.SQL("alter table {} {}").format(
            tmp,
            sql.SQL(", ").join(
                sql.SQL("alter column {} drop not null").format(sql.Identifier(n)) for n in spec.names
            ),
        )
    )
    staged = _stage_set_based(conn, layout, tmp, path, summary, bad)
    if staged is None:
        staged = _stage_records(conn, layout, tmp, path, summary, bad)
    duplicates, conflicts = _drop_repeated_keys(conn, spec, tmp)
    summary.duplicates = duplicates
    bad.extend(conflicts)
    settled = spec.settle(conn, tmp, file_id, summary) if spec.settle else []
    bad.extend(settled)
    inserted, updated = _upsert(conn, spec, tmp, file_id)
    summary.loaded, summary.updated = inserted, updated
    summary.unchanged = staged - duplicates - len(conflicts) - len(settled) - inserted - updated
    return _finish(conn, spec, file_id, path, summary, bad)


@dataclass(frozen=True)
class _Layout:
    """A spec read against one file's header."""

    spec: CsvTable
    header: list[str]
    header_lines: int

    @cached_property
    def positions(self) -> list[int | None]:
        """Where each of the spec's columns sits in the file (None: absent)."""
        return [self.header.index(c.name) if c.name in self.header else None for c in self.spec.columns]

    @property
    def columns(self) -> sql.Composable:
        return sql.SQL(", ").join(sql.Identifier(name) for name in self.spec.names)

    def row(self, fields: list[str]) -> tuple[str | None, ...]:
        """One record's values, or BadValue with the reason."""
        if not any(field.strip() for field in fields):
            raise BadValue("empty record")
        if len(fields) != len(self.header):
            raise BadValue(f"expected {len(self.header)} fields, found {len(fields)}")
        return tuple(
            _parse(column, fields, position)
            for column, position in zip(self.spec.columns, self.positions, strict=True)
        )


def _stage_records(
    conn: psycopg.Connection,
    layout: _Layout,
    tmp: sql.Identifier,
    path: Path,
    summary: FileSummary,
    bad: list[Rejected],
) -> int:
    """Record by record in Python: every record's line, raw text and values. Returns the rows staged."""
    staged = 0
    summary.lines = line_count(path)
    records = _records(path, summary.encoding, width=len(layout.header))
    next(records, None)
    copy_sql = sql.SQL("copy {} ({}, _line, _raw) from stdin").format(tmp, layout.columns)
    with conn.cursor().copy(copy_sql) as copy:
        for line_number, raw, fields in records:
            if not raw.strip():
                continue  # a blank line
            try:
                row = layout.row(fields)
            except BadValue as exc:
                bad.append((line_number, raw, str(exc)))
                continue
            copy.write_row((*row, line_number, raw))
            staged += 1
    return staged


_COPY_ENCODINGS = {"utf-8": "UTF8", "cp1252": "WIN1252", "latin-1": "LATIN1"}


class _Refused(Exception):
    """COPY read the file otherwise than its lines say (rolled back: the file is read record by record)."""


def _breaks(fields: list[sql.Identifier]) -> sql.Composable:
    """SQL: the line breaks inside a staged record's values (as line_count counts them)."""
    joined = sql.SQL("replace(concat_ws(' ', {}), E'\\r\\n', E'\\n')").format(sql.SQL(", ").join(fields))
    return sql.SQL("length({0}) - length(translate({0}, E'\\r\\n', ''))").format(joined)


def _stage_set_based(
    conn: psycopg.Connection,
    layout: _Layout,
    tmp: sql.Identifier,
    path: Path,
    summary: FileSummary,
    bad: list[Rejected],
) -> int | None:
    """COPY the file as it is, then cast in SQL what every rule accepts; the parsers judge the records
    SQL leaves (and give the reasons). Returns the rows staged, or None when COPY refused the file
    (nothing of it is left behind then)."""
    spec = layout.spec
    # (to COPY, a blank line of a one-column file is a record with no value, not a blank line)
    if len(layout.header) < 2 or not all(isinstance(c.parse, Rule) for c in spec.columns):
        return None
    stage = sql.Identifier(f"_stage_{spec.table}")
    fields = [sql.Identifier(f"c{n}") for n in range(1, len(layout.header) + 1)]
    try:
        with conn.transaction():  # a savepoint: a refused COPY takes its stage table with it
            conn.execute(
                sql.SQL(
                    "create temp table {} (_ord bigint generated always as identity, {}) on commit drop"
                ).format(stage, sql.SQL(", ").join(sql.SQL("{} text").format(f) for f in fields))
            )
            copy_sql = sql.SQL("copy {} ({}) from stdin with (format csv, header true, encoding {})").format(
                stage, sql.SQL(", ").join(fields), sql.Literal(_COPY_ENCODINGS[summary.encoding])
            )
            with conn.cursor() as cursor:
                with cursor.copy(copy_sql) as copy:
                    for chunk in chunks(path):
                        copy.write(chunk)
                records = cursor.rowcount
            lines = line_count(path)
            if records != lines - layout.header_lines:
                # COPY read fewer lines than the file has: quoted values span lines, or COPY stopped
                # early (a line holding only \. ends its input without an error): every line is
                # accounted for, or the file is read record by record
                spanned = conn.execute(
                    sql.SQL("select coalesce(sum({}), 0) from {}").format(_breaks(fields), stage)
                ).fetchone()
                if records + int(spanned[0] if spanned else 0) != lines - layout.header_lines:
                    raise _Refused(f"COPY read {records} records and not every line of the file")
    except (psycopg.errors.DataError, _Refused) as exc:
        reason = exc.diag.message_primary if isinstance(exc, psycopg.errors.DataError) else str(exc)
        log.info("%s: COPY could not read it as CSV (%s); reading it record by record", path, reason)
        return None

    summary.lines = lines
    ws = sql.Literal(WHITESPACE)
    values = [
        sql.SQL("nullif(btrim({}, {}), '')").format(fields[position], ws)
        if position is not None
        else sql.NULL
        for position in layout.positions
    ]
    if records == summary.lines - layout.header_lines:
        line = sql.SQL("_ord + {}").format(sql.Literal(layout.header_lines))
    else:  # a quoted value holds line breaks: a record starts after the breaks of those before it
        line = sql.SQL(
            "_ord + {} + coalesce(sum({}) over (order by _ord"
            " rows between unbounded preceding and 1 preceding), 0)"
        ).format(sql.Literal(layout.header_lines), _breaks(fields))
    names = [sql.Identifier(f"v{n}") for n in range(len(spec.columns))]
    rules = [column.parse for column in spec.columns if isinstance(column.parse, Rule)]
    accepted = sql.SQL(" and ").join(
        sql.SQL("({0} is {1} null {2} {3})").format(
            name,
            sql.SQL("not" if column.required else ""),
            sql.SQL("and" if column.required else "or"),
            rule.test(conn.info.server_version)(name),
        )
        for column, rule, name in zip(spec.columns, rules, names, strict=True)
    )
    # each value is cast to its raw column's type (the temporary table applies any type modifier)
    types: dict[str, sql.Identifier] = {
        name: sql.Identifier(schema, type_name)
        for name, schema, type_name in conn.execute(
            "select attname, nspname, typname from pg_attribute"
            " join pg_type on pg_type.oid = atttypid join pg_namespace on pg_namespace.oid = typnamespace"
            " where attrelid = %s::regclass and attnum > 0 and not attisdropped",
            (f"raw.{spec.table}",),
        ).fetchall()
    }
    # the subqueries are fenced (offset 0) so each value is stripped once, not once per use
    conn.execute(
        sql.SQL(
            """
            insert into {tmp} ({columns}, _line, _ord, _ok)
            select {casts}, _line, _ord, _ok
            from (
                select *, {accepted} as _ok
                from (select _ord, {line} as _line, {values} from {stage} offset 0) as stripped
                offset 0
            ) as checked
            """
        ).format(
            tmp=tmp,
            columns=layout.columns,
            casts=sql.SQL(", ").join(
                sql.SQL("case when _ok then {}::{} end").format(name, types[column.name])
                for column, name in zip(spec.columns, names, strict=True)
            ),
            accepted=accepted,
            line=line,
            values=sql.SQL(", ").join(
                sql.SQL("{} as {}").format(v, n) for v, n in zip(values, names, strict=True)
            ),
            stage=stage,
        )
    )
    any_left = conn.execute(sql.SQL("select exists (select from {} where not _ok)").format(tmp)).fetchone()
    if not any_left or not any_left[0]:
        return records
    # the records SQL left, to the parsers: read in batches from a server-side cursor (a file whose
    # every record is left stays out of memory), the accepted ones staged beside the others
    left = conn.cursor(name=f"_left_{spec.table}")
    left.execute(
        sql.SQL(
            "select checked._line, {} from {} as checked join {} as staged using (_ord)"
            " where not checked._ok order by checked._ord"
        ).format(sql.SQL(", ").join(sql.SQL("coalesce(staged.{}, '')").format(f) for f in fields), tmp, stage)
    )
    copy_sql = sql.SQL("copy {} ({}, _line) from stdin").format(tmp, layout.columns)
    while batch := left.fetchmany(10_000):
        with conn.cursor().copy(copy_sql) as copy:
            for line, *record in batch:
                try:
                    copy.write_row((*layout.row(list(record)), line))
                except BadValue as exc:
                    bad.append((line, None, str(exc)))
                    records -= 1
    left.close()
    conn.execute(sql.SQL("delete from {} where not _ok").format(tmp))
    return records


def _parse(column: Column, fields: list[str], position: int | None) -> str | None:
    try:
        value = column.parse(fields[position] if position is not None else "")  # absent column: its default
    except BadValue as exc:
        raise BadValue(f"{column.name}: {exc}") from None
    if value is None and column.required:
        raise BadValue(f"{column.name}: missing")
    return value


def _drop_repeated_keys(
    conn: psycopg.Connection, spec: CsvTable, tmp: sql.Identifier
) -> tuple[int, list[Rejected]]:
    """A key met again: with the same values it is a harmless repeat (counted, dropped); with other values
    the later record is rejected. The record on the earliest line wins."""
    key = sql.SQL(", ").join(sql.Identifier(name) for name in spec.key)
    repeated = conn.execute(
        sql.SQL("select exists (select from {} group by {} having count(*) > 1)").format(tmp, key)
    ).fetchone()
    if not repeated or not repeated[0]:
        return 0, []
    rows = conn.execute(
        sql.SQL(
            """
            select later._line, later._raw, first._line, ({later}) is not distinct from ({first}), {key_text}
            from {tmp} as later
            join (select distinct on ({key}) * from {tmp} order by {key}, _line) as first
              on {same_key} and later._line <> first._line
            order by later._line
            """
        ).format(
            tmp=tmp,
            key=key,
            later=sql.SQL(", ").join(sql.SQL("later.{}").format(sql.Identifier(n)) for n in spec.names),
            first=sql.SQL(", ").join(sql.SQL("first.{}").format(sql.Identifier(n)) for n in spec.names),
            key_text=sql.SQL(", ").join(
                sql.SQL("later.{}::text").format(sql.Identifier(n)) for n in spec.key
            ),
            same_key=sql.SQL(" and ").join(
                sql.SQL("later.{0} = first.{0}").format(sql.Identifier(n)) for n in spec.key
            ),
        )
    ).fetchall()
    conn.execute(sql.SQL("delete from {} where _line = any(%s)").format(tmp), ([row[0] for row in rows],))
    conflicts: list[Rejected] = [
        (
            line,
            raw,
            f"duplicate key {_show_key(spec, tuple(key_values))} first seen on line {first}"
            " with other values",
        )
        for line, raw, first, same, *key_values in rows
        if not same
    ]
    return len(rows) - len(conflicts), conflicts


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
    bad: list[Rejected],
) -> FileSummary:
    texts = _record_texts(path, summary.encoding, {line for line, raw, _ in bad if raw is None})
    quarantine(
        conn,
        file_id,
        spec.source,
        path.name,
        ((line, texts.get(line, raw) or "", reason) for line, raw, reason in bad),
    )
    summary.quarantined = len(bad)
    summary.reasons.update(reason_kind(reason) for _, _, reason in bad)
    finish_file(conn, file_id, summary)
    return summary


def _record_texts(path: Path, encoding: str, lines: set[int]) -> dict[int, str]:
    """The raw text of the records starting on these lines (records COPY read: their quotes close)."""
    found: dict[int, str] = {}
    if not lines:
        return found
    with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as handle:
        start, text = 0, ""
        for number, line in enumerate(handle, start=1):
            if not start and number in lines:
                start, text = number, ""
            if start:
                text += line
                if _balanced(text) or number - start + 1 >= MAX_RECORD_LINES:
                    found[start] = text.rstrip("\r\n")
                    start = 0
                    if len(found) == len(lines):
                        break
    return found


def line_count(path: Path) -> int:
    """Lines as Python's universal newlines count them (\\n, \\r\\n or a lone \\r ends one)."""
    count, last = 0, b""
    for chunk in chunks(path):
        count += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
        if last == b"\r" and chunk.startswith(b"\n"):
            count -= 1  # a \r\n split across two chunks
        last = chunk[-1:]
    return count + (1 if last not in (b"", b"\n", b"\r") else 0)


def reason_kind(reason: str) -> str:
    """Group reasons for the summary: "price: not a number: '12;5'" → "price: not a number: …"."""
    kind = re.sub(r"'[^']*'", "…", reason)
    kind = re.sub(r"=\S+", "=…", kind)
    return re.sub(r"\d+", "N", kind)
