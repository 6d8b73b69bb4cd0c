"""The set-based CSV load and the record-by-record one are the same rules.

A set-based load takes in SQL the values each rule's ``accepts`` says yes to, cast to the column's type,
and leaves every other record to the rule's parser. So ``accepts`` must never say yes to a value the
parser refuses or reads differently; and a file loaded either way must leave the same rows, the same
quarantine (line, text and reason) and the same figures.
"""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from orchestration.ingest import csv_tables as rules
from orchestration.ingest.csv_tables import BadValue, Column, CsvTable, Rule, load_csv_table
from orchestration.ingest.olist import OLIST_FILES
from orchestration.runtime.database import ConnectionInfo

pytestmark = pytest.mark.db

PADDING = ["", " ", "\t", "\u00a0", "\u3000 "]
SAMPLES: dict[str, tuple[Rule, str, list[str]]] = {
    "text": (rules.text, "text", ["abc", "São Paulo", "a  b", "", "\u2003x\u2003"]),
    "integer": (
        rules.integer,
        "int4",
        [
            "0",
            "7",
            "+5",
            "-12",
            "007",
            "999999999",
            "2147483648",
            "1.0",
            "4.5",
            "1e3",
            "1_000",
            "0x1F",
            "-2147483648",
            "2147483647",
            "abc",
            "",
            "١٢",
        ],
    ),
    "decimal": (
        rules.decimal,
        "numeric",
        [
            "29.99",
            "1.50",
            "+1.50",
            ".5",
            "5.",
            "-0",
            "-23.5456",
            "12,50",
            "1e3",
            "NaN",
            "Infinity",
            "-Infinity",
            "1_0",
            "..",
            "+",
            "",
            "٣",
        ],
    ),
    "timestamp": (
        rules.timestamp,
        "timestamp",
        [
            "2018-01-10 10:00:00",
            "2018-01-10 10:00",
            "2018-01-10T10:00:00",
            "2018-01-10",
            "2016-02-29 23:59:59",
            "2018-02-29 10:00:00",
            "2018-02-30",
            "2018-13-01 10:00:00",
            "2018-00-10",
            "0000-01-01",
            "2018-01-10 24:00:00",
            "2018-01-10 23:60",
            "2018-01-10 10:00:60",
            "2018-01-10T10:00",
            "2018-1-5 3:04:05",
            "10/01/2018",
            "2018-01-10 10:00:00.5",
            "2018-01-10 10:00:0x",
            "2018-01-10 1:00:00 ",
            "0001-01-01 00:00:00",
            "0000-01-01 00:00:00",
            "2018-01-10 10:00:00 BC",
            "١٢٣٤-01-10 10:00:00",
            "",
        ],
    ),
    "date": (
        rules.date,
        "date",
        [
            "2024-01-01",
            "2024-02-29",
            "2023-02-29",
            "2024-02-30",
            "0001-01-01",
            "0000-01-01",
            "20240101",
            "2024-1-1",
            "x",
            "",
        ],
    ),
    "one_of": (
        rules.one_of("delivered", "canceled"),
        "text",
        ["delivered", "canceled", "lost", "Delivered", ""],
    ),
    "between": (rules.between(1, 5), "int4", ["1", "5", "0", "6", "+3", "3.0", "99999999999", ""]),
    "digits": (rules.digits(11), "text", ["12345678909", "123.456.789-09", "1234567890", "1234567890a", ""]),
}


def _python(rule: Rule, value: str) -> str | None | BadValue:
    try:
        return rule(value)
    except BadValue as exc:
        return exc


# each SQL form of each rule: the one for every server, and the canonical-form test PostgreSQL 16+ runs
# (the embedded server is 16: both are checked here)
FORMS = [
    (name, form)
    for name in sorted(SAMPLES)
    for form in ("accepts", "accepts_pg16")
    if getattr(SAMPLES[name][0], form) is not None
]


@pytest.mark.parametrize(("name", "form"), FORMS, ids=[f"{name}-{form}" for name, form in FORMS])
def test_sql_accepts_only_what_the_parser_reads_the_same_way(
    fresh_db: ConnectionInfo, name: str, form: str
) -> None:
    rule, type_name, samples = SAMPLES[name]
    accepts = getattr(rule, form)
    values = [
        pad + sample + end for sample in samples for pad, end in itertools.product(PADDING, PADDING[:3])
    ]
    stripped = sql.SQL("nullif(btrim(x, {}), '')").format(sql.Literal(rules.WHITESPACE))
    with fresh_db.connect() as conn:
        conn.execute("set timezone to 'America/Sao_Paulo'")
        conn.execute(sql.SQL("set datestyle to {}").format(sql.Literal(rules.DATESTYLE)))
        if form == "accepts_pg16":
            assert conn.info.server_version >= 160000, "the canonical forms need PostgreSQL 16"
        checked = conn.execute(
            sql.SQL(
                "select x, s.v is not distinct from nullif((%s::text[])[n], ''), coalesce({accepts}, true)"
                " from unnest(%s::text[]) with ordinality as t(x, n), lateral (select {v} as v) as s"
            ).format(v=stripped, accepts=accepts(sql.Identifier("s", "v"))),
            ([value.strip() for value in values], values),
        ).fetchall()
        taken = 0
        for value, strips_like_python, accepted in checked:
            assert strips_like_python, f"btrim and str.strip differ on {value!r}"
            if not accepted:
                continue
            taken += 1
            parsed = _python(rule, value)
            assert not isinstance(parsed, BadValue), f"SQL accepts {value!r}, the parser refuses it: {parsed}"
            same = conn.execute(
                sql.SQL("select %s::{t} is not distinct from nullif(btrim(%s, %s), '')::{t}").format(
                    t=sql.Identifier(type_name)
                ),
                (parsed, value, rules.WHITESPACE),
            ).fetchone()
            assert same == (True,), f"{value!r}: the parser reads {parsed!r}, SQL reads it otherwise"
    # the rule's common forms are SQL's to take: the set-based load is not a detour to the parser
    assert taken >= len(PADDING) * 3 * 2


# a file as people send them, that COPY can read: quoted line breaks before bad records, padding,
# a repeated record, a repeated key with other values, an empty record, values only the parser reads
ORDERS = (
    "order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
    "order_delivered_carrier_date,order_delivered_customer_date,order_estimated_delivery_date\n"
    'o1,"c1\nsecond line",delivered,2018-01-10 10:00:00,,,,\n'  # lines 2-3
    "o2,c2, delivered ,2018-01-11 10:00,,,, 2018-01-20 \n"
    'o3,"c3\r\nthird\rline",lost,2018-01-12,,,,\n'  # lines 5-7, unknown status
    "o4,c4,delivered,2018-02-30 10:00:00,,,,\n"  # impossible date
    "o2,c2, delivered ,2018-01-11 10:00,,,, 2018-01-20 \n"  # the same record again
    "o2,c9,delivered,2018-01-11 10:00,,,,\n"  # the same key, another customer
    ",,,,,,,\n"
    "o5,c5,canceled,2018-1-5 3:04:05,,,,\n"  # single digits: only the parser reads them
    "o6,,delivered,2018-01-12,,,,\n"  # a required value missing
    "o7,c7,delivered,2018-01-13 09:00:00,,,,"  # no line break at the end
)


def _load(conn: psycopg.Connection, spec: CsvTable, path: Path) -> tuple[object, ...]:
    summary = load_csv_table(conn, spec, path)
    (staged,) = conn.execute("select to_regclass('pg_temp._stage_olist_orders') is not null").fetchone() or (
        None,
    )
    rows = conn.execute(
        "select order_id, customer_id, order_status, order_purchase_timestamp, order_estimated_delivery_date"
        " from raw.olist_orders order by order_id"
    ).fetchall()
    quarantined = conn.execute(
        "select line_number, raw_text, reason from raw.quarantine order by line_number"
    ).fetchall()
    figures = (summary.lines, summary.loaded, summary.duplicates, summary.quarantined, summary.unchanged)
    return staged, rows, quarantined, figures, sorted(summary.reasons.items())


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_file_loads_the_same_set_based_and_record_by_record(
    fresh_db: ConnectionInfo, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "olist_orders_dataset.csv"
    path.write_bytes(ORDERS.replace("c7", "cé7").encode(encoding))
    spec = OLIST_FILES["olist_orders_dataset.csv"]
    # the same columns with their parsers as plain functions: no SQL form, so record by record
    by_record = dataclasses.replace(
        spec,
        columns=[
            Column(c.name, c.parse.parse, c.required) for c in spec.columns if isinstance(c.parse, Rule)
        ],
    )
    assert len(by_record.columns) == len(spec.columns)
    with fresh_db.connect() as conn:
        set_based = _load(conn, spec, path)
        conn.rollback()
        record_by_record = _load(conn, by_record, path)
        conn.rollback()
    assert set_based[0] is True and record_by_record[0] is False  # each load went the way it says
    assert set_based[1:] == record_by_record[1:]
    _, rows, quarantined, figures, _ = set_based
    assert [r[0] for r in rows] == ["o1", "o2", "o5", "o7"]
    assert [(line, reason.split(":")[0]) for line, _, reason in quarantined] == [
        (5, "order_status"),
        (8, "order_purchase_timestamp"),
        (10, "duplicate key order_id=o2 first seen on line 4 with other values"),
        (11, "empty record"),
        (13, "customer_id"),
    ]
    assert quarantined[0][1] == 'o3,"c3\r\nthird\rline",lost,2018-01-12,,,,'
    assert figures == (14, 4, 1, 5, 0)


def test_a_file_copy_refuses_is_read_record_by_record(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    path = tmp_path / "olist_orders_dataset.csv"
    path.write_text(ORDERS + "\n\no8,c8,delivered\n")  # a blank line and a record of three fields
    with fresh_db.connect() as conn:
        staged, rows, quarantined, figures, _ = _load(conn, OLIST_FILES["olist_orders_dataset.csv"], path)
    assert staged is False
    assert [r[0] for r in rows] == ["o1", "o2", "o5", "o7"]
    assert quarantined[-1] == (16, "o8,c8,delivered", "expected 8 fields, found 3")
    assert figures == (16, 4, 1, 6, 0)


def test_a_line_that_would_end_copy_early_loses_nothing(fresh_db: ConnectionInfo, tmp_path: Path) -> None:
    r"""A line holding only \. ends COPY's input without an error: the rest would be dropped unseen."""
    path = tmp_path / "olist_orders_dataset.csv"
    path.write_text(ORDERS + "\n\\.\no8,c8,delivered,2018-01-14,,,,\n")
    with fresh_db.connect() as conn:
        staged, rows, quarantined, figures, _ = _load(conn, OLIST_FILES["olist_orders_dataset.csv"], path)
    assert staged is False
    assert [r[0] for r in rows] == ["o1", "o2", "o5", "o7", "o8"]
    assert quarantined[-1] == (15, "\\.", "expected 8 fields, found 1")
    assert figures == (16, 5, 1, 6, 0)
