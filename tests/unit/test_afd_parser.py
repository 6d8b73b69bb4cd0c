"""AFD records of every layout, built by hand from the field tables of the design doc."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from orchestration.generate import afd as build
from orchestration.ingest.afd import (
    BadRecord,
    Record,
    audit_stream,
    check_crc,
    crc16_kermit,
    crc16_modbus,
    parse_line,
)

SP = ZoneInfo("America/Sao_Paulo")


def test_crc16_catalogue_check_values() -> None:
    # the standard check value of each CRC-16 variant over "123456789"
    assert crc16_modbus(b"123456789") == 0x4B37
    assert crc16_kermit(b"123456789") == 0x2189


def test_1510_punch_by_hand() -> None:
    line = "000000123" + "3" + "15032024" + "0755" + "012345678901"
    record = parse_line(line, 7)
    assert (record.record_type, record.layout, record.nsr, record.crc_status) == ("3", "1510", 123, "absent")
    assert record.local_time == dt.datetime(2024, 3, 15, 7, 55)
    assert record.fields == {"identifier_kind": "pis", "identifier": "12345678901"}


def test_1510_art_96_cpf_prefix() -> None:
    record = parse_line("000000124" + "3" + "15032024" + "0755" + "952998224725", 1)
    assert record.fields == {"identifier_kind": "cpf", "identifier": "52998224725"}


def test_1510_crc_punch_good_and_bad_crc() -> None:
    good = build.punch_1510(5, dt.datetime(2024, 3, 15, 12, 0), "12345678901", crc=True)
    assert len(good) == 38
    assert parse_line(good, 1).crc_status == "ok"
    assert (parse_line(good, 1).layout) == "1510_crc"
    tampered = good[:20] + ("1" if good[20] != "1" else "2") + good[21:]
    assert parse_line(tampered, 1).crc_status == "mismatch"
    assert check_crc(good[:-4] + "ZZZZ") == "mismatch"


def test_671_punch_carries_its_own_offset_and_kermit_crc_is_accepted() -> None:
    moment = dt.datetime(2024, 3, 15, 22, 1, tzinfo=SP)
    for kind in ("modbus", "kermit"):
        line = build.punch_671(9, moment, "52998224725", kind=kind)
        assert len(line) == 50
        assert line[10:34] == "2024-03-15T22:01:00-0300"
        record = parse_line(line, 1)
        assert (record.layout, record.crc_status) == ("671", "ok")
        assert record.occurred_at == moment
        assert record.fields == {"identifier_kind": "cpf", "identifier": "52998224725"}


def test_671_rep_p_punch_type_7() -> None:
    line = (
        "000000010"
        + "7"
        + "2024-03-15T08:00:00-0300"
        + "52998224725 "
        + "2024-03-15T08:00:05-0300"
        + "01"
        + "1"
        + "a" * 64
    )
    assert len(line) == 137
    record = parse_line(line, 1)
    assert (record.record_type, record.fields["identifier"], record.fields["collector"]) == (
        "7",
        "52998224725",
        "01",
    )


def test_headers_of_each_layout() -> None:
    start, end = dt.date(2024, 3, 1), dt.date(2024, 3, 31)
    h1510 = parse_line(build.header_1510(0, "00004003300000001", start, end), 1)
    assert (h1510.layout, h1510.fields["rep_number"], h1510.fields["start_date"]) == (
        "1510",
        "00004003300000001",
        "2024-03-01",
    )
    assert parse_line(build.header_1510(0, "1", start, end, crc=True), 1).layout == "1510_crc"
    generated = dt.datetime(2024, 3, 31, 23, 0, tzinfo=SP)
    h671 = parse_line(build.header_671(0, "00004003300000003", start, end, generated), 1)
    assert (h671.layout, h671.crc_status, h671.fields["rep_number"]) == ("671", "ok", "00004003300000003")
    bad_version = build.header_671(0, "3", start, end, generated)
    bad_version = bad_version[:250] + "002" + bad_version[253:]
    with pytest.raises(BadRecord, match="unknown layout version '002'"):
        parse_line(bad_version, 1)


def test_employee_change_clock_adjustment_and_event_records() -> None:
    five = parse_line(
        build.employee_1510(3, dt.datetime(2024, 3, 1, 7, 0), "I", "12345678901", "José da Silva"), 1
    )
    assert five.fields == {
        "operation": "I",
        "identifier_kind": "pis",
        "identifier": "12345678901",
        "name": "José da Silva",
    }
    five_671 = parse_line(
        build.employee_671(4, dt.datetime(2024, 3, 1, 7, 0, tzinfo=SP), "A", "52998224725", "Ana"), 1
    )
    assert (five_671.layout, five_671.fields["operation"], five_671.fields["identifier"]) == (
        "671",
        "A",
        "52998224725",
    )
    four = parse_line("000000006" + "4" + "01032024" + "0800" + "01032024" + "0805", 1)
    assert four.fields == {"before": "2024-03-01T08:00:00", "after": "2024-03-01T08:05:00"}
    four_repc = "000000006" + "4" + "01032024" + "0800" + "01032024" + "0805" + "52998224725"
    four_repc += build.crc_hex(four_repc)
    assert parse_line(four_repc, 1).fields["responsible_cpf"] == "52998224725"
    six = parse_line("000000007" + "6" + "01032024" + "0900" + "01", 1)
    assert (six.layout, six.fields["event_code"]) == ("1510_repc", "01")
    six_671 = parse_line("000000008" + "6" + "2024-03-01T09:00:00-0300" + "02", 1)
    assert six_671.fields["event_code"] == "02"


def test_trailers_and_signature() -> None:
    trailer = parse_line(build.trailer_1510({"3": 12, "5": 2}), 1)
    assert trailer.fields == {"type_2": "0", "type_3": "12", "type_4": "0", "type_5": "2"}
    assert parse_line(build.trailer_671({"3": 1}), 1).fields["type_7"] == "0"
    repc = "999999999" + "0" * 9 * 5 + "9"
    assert parse_line(repc, 1).layout == "1510_repc"
    assert parse_line("ASSINATURA_DIGITAL_EM_ARQUIVO_P7S".ljust(100), 1).record_type == "signature"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("0001", "line too short (4 characters)"),
        ("000000001X15032024075501234567890", "unknown record type 'X'"),
        ("0000000013150320240755012345678", "bad length 31 for a type 3 record"),
        ("00000000A3150320240755012345678901", "bad NSR '00000000A'"),
        ("000000001332032024075501234567890" + "1", "bad date '32032024' in punch"),
        ("000000001315032024256101234567890" + "1", "bad time '2561' in punch"),
        ("0000000013150320240755ABC345678901", "bad PIS 'ABC345678901'"),
        ("000000001" + "3" + "2024-03-15T08:00:00-0300" + "5299822472X " + "ABCD", "bad CPF '5299822472X '"),
    ],
)
def test_every_rejection_reason(line: str, reason: str) -> None:
    with pytest.raises(BadRecord) as info:
        parse_line(line, 1)
    assert str(info.value) == reason


def _audit(records: list[Record]) -> list[str]:
    auditor = audit_stream()
    next(auditor)
    return [notice.reason for record in records for notice in auditor.send(record)]


def test_nsr_gaps_restarts_and_trailer_mismatch_are_reported() -> None:
    moment = dt.datetime(2024, 3, 15, 8, 0)
    lines = [build.punch_1510(nsr, moment, "12345678901") for nsr in (1, 2, 5, 1, 2)]
    records = [parse_line(line, number) for number, line in enumerate(lines, start=1)]
    records.append(parse_line(build.trailer_1510({"3": 4}), 6))
    assert _audit(records) == [
        "NSR gap: 2 then 5 (missing 2)",
        "trailer count mismatch (type 3: trailer 4, found 5)",
    ]
