import sys
from pathlib import Path

import pytest

from orchestration.ingest import csv_tables as values
from orchestration.ingest.ponto_csv import intervals, timezone, weekday


@pytest.mark.parametrize(("raw", "expected"), [("3", "3"), (" 12 ", "12"), ("4.0", "4"), ("", None)])
def test_integer_accepts_whole_numbers(raw: str, expected: str | None) -> None:
    assert values.integer(raw) == expected


@pytest.mark.parametrize("raw", ["4.5", "abc", "1,5"])
def test_integer_rejects_with_reason(raw: str) -> None:
    with pytest.raises(values.BadValue, match="not an integer"):
        values.integer(raw)


def test_decimal_keeps_exact_text_and_rejects_garbage() -> None:
    assert values.decimal("29.99") == "29.99"
    with pytest.raises(values.BadValue, match="not a number"):
        values.decimal("12,50")
    with pytest.raises(values.BadValue, match="finite"):
        values.decimal("NaN")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2018-01-10 10:00:00", "2018-01-10 10:00:00"),
        ("2018-01-10 10:00", "2018-01-10 10:00:00"),
        ("2018-01-10", "2018-01-10 00:00:00"),
    ],
)
def test_timestamp_formats(raw: str, expected: str) -> None:
    assert values.timestamp(raw) == expected


def test_timestamp_rejects_impossible_dates() -> None:
    with pytest.raises(values.BadValue, match="not a date-time"):
        values.timestamp("2018-02-30 10:00:00")


def test_one_of_names_the_allowed_values() -> None:
    parse = values.one_of("delivered", "canceled")
    assert parse("delivered") == "delivered"
    with pytest.raises(values.BadValue, match="unknown value 'lost'"):
        parse("lost")


def test_digits_strip_punctuation_of_cpf() -> None:
    assert values.digits(11)("529.982.247-25") == "52998224725"
    with pytest.raises(values.BadValue, match="not 11 digits"):
        values.digits(11)("1234")


def test_schedule_intervals_allow_overnight_and_reject_bad_clock() -> None:
    assert intervals("22:00-02:00, 03:00-06:00") == "22:00-02:00,03:00-06:00"
    assert intervals("") == ""
    with pytest.raises(values.BadValue, match="bad interval '25:00-26:00'"):
        intervals("25:00-26:00")


def test_weekday_and_timezone() -> None:
    assert weekday("7") == "7"
    with pytest.raises(values.BadValue, match="1 \\(Monday\\) to 7"):
        weekday("0")
    assert timezone("") == "America/Sao_Paulo"
    with pytest.raises(values.BadValue, match="unknown time zone"):
        timezone("Mars/Olympus")


def test_reason_kinds_group_quarantine_reasons_without_their_values() -> None:
    assert values.reason_kind("price: not a number: '12;50'") == "price: not a number: …"
    assert values.reason_kind("expected 8 fields, found 3") == "expected N fields, found N"


def test_integer_out_of_the_column_range_is_rejected_not_crashing_the_load() -> None:
    with pytest.raises(values.BadValue, match="out of range"):
        values.integer("99999999999")


def test_a_key_column_must_be_required() -> None:
    with pytest.raises(ValueError, match="key column\\(s\\) code must be required"):
        values.CsvTable(
            source="s", table="t", domain="customer_360", key=["code"], columns=[values.Column("code")]
        )


def test_line_count_counts_lines_as_python_reads_them(tmp_path: Path) -> None:
    """\\n, \\r\\n and a lone \\r each end a line, also when a \\r\\n straddles two chunks of the file."""
    path = tmp_path / "lines.csv"
    straddling = b"x" * ((1 << 20) - 1) + b"\r\nsecond\rthird\nfourth"
    for content in (b"", b"a\n", b"a", b"a\r\nb\rc\n\nd", straddling):
        path.write_bytes(content)
        with path.open(encoding="latin-1", newline="") as handle:
            expected = sum(1 for _ in handle)
        assert values.line_count(path) == expected, content[-30:]


def test_whitespace_is_what_str_strip_strips() -> None:
    derived = "".join(chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace())
    assert values.WHITESPACE == derived
