"""AFD records of every layout, built by hand from the field tables of the design doc."""

import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest

from orchestration.ingest import afd
from orchestration.ingest import afd_writer as build
from orchestration.ingest.afd import (
    BadRecord,
    FileAuditor,
    Record,
    check_crc,
    content_sha256,
    crc16_ccitt_false,
    crc16_kermit,
    crc16_modbus,
    crc_hex,
    local_to_aware,
    parse_line,
    parse_lines,
)
from orchestration.ingest.afd_layout import BY_TYPE_AND_NAME

SP = ZoneInfo("America/Sao_Paulo")


def test_crc16_catalogue_check_values() -> None:
    # the standard check value of each CRC-16 variant over "123456789"
    assert crc16_modbus(b"123456789") == 0x4B37
    assert crc16_kermit(b"123456789") == 0x2189
    assert crc16_ccitt_false(b"123456789") == 0x29B1


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
    assert check_crc(good[:-4] + "ZZZZ") == ("mismatch", None)
    assert parse_line(good, 1).crc_algorithm == "modbus"


def test_control_id_ccitt_false_crc_is_accepted_and_recorded() -> None:
    # a Control iD REP-C punch: 1510 + CRC layout, CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF)
    body = "000004217" + "3" + "02122024" + "0758" + "012345678901"
    crc = 0xFFFF
    for byte in body.encode("latin-1"):  # the algorithm written out bit by bit, independent of the table
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    record = parse_line(body + f"{crc:04X}", 3)
    assert (record.layout, record.crc_status, record.crc_algorithm) == ("1510_crc", "ok", "ccitt_false")
    kermit = build.punch_671(9, dt.datetime(2024, 3, 15, 22, 1, tzinfo=SP), "52998224725", kind="kermit")
    assert parse_line(kermit, 1).crc_algorithm == "kermit"


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
    four_repc += crc_hex(four_repc)
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
    assert parse_line("\ufeff assinatura_digital_em_arquivo_p7s", 1).record_type == "signature"


def test_whatever_follows_the_trailer_is_the_signature() -> None:
    # Henry REP-C exports end with a 100-character signature line whose 10th character happens to be
    # "4": on its own it reads as a type-4 record of a bad length
    henry_signature = "MIIHBgYJ4" + "4" + "Kx7Qb" * 18
    assert len(henry_signature) == 100
    with pytest.raises(BadRecord, match="bad length 100 for a type 4 record"):
        parse_line(henry_signature, 3)
    lines = [
        build.punch_1510(1, dt.datetime(2024, 3, 15, 8, 0), "12345678901", crc=True),
        build.trailer_1510({"3": 1}),
        henry_signature,
    ]
    parsed = list(parse_lines(enumerate(lines, start=1)))
    assert [item.record_type for item in parsed if isinstance(item, Record)] == ["3", "9", "signature"]
    # before the trailer the same line is still an unusable record, quarantined with its reason
    before = list(parse_lines(enumerate([henry_signature, lines[1]], start=1)))
    assert [type(item).__name__ for item in before] == ["Notice", "Record"]


_MOMENT = dt.datetime(2024, 3, 15, 8, 0, tzinfo=ZoneInfo("America/Sao_Paulo"))
_HEADER_671 = build.header_671(1, "1", dt.date(2024, 3, 1), dt.date(2024, 3, 31), _MOMENT)
REJECTIONS = [
    ("0001", "line too short (4 characters)", "too_short"),
    ("000000001X15032024075501234567890", "unknown record type 'X'", "unknown_type"),
    ("0000000013150320240755012345678", "bad length 31 for a type 3 record", "bad_length"),
    ("00000000A3150320240755012345678901", "bad NSR '00000000A'", "bad_nsr"),
    ("000000001332032024075501234567890" + "1", "bad date '32032024' in punch", "bad_date"),
    ("000000001315032024256101234567890" + "1", "bad time '2561' in punch", "bad_time"),
    ("0000000013150320240755ABC345678901", "bad PIS 'ABC345678901'", "bad_identifier"),
    (
        "000000001" + "3" + "2024-03-15T08:00:00-0300" + "5299822472X " + "ABCD",
        "bad CPF '5299822472X '",
        "bad_identifier",
    ),
    (
        build.punch_671(1, _MOMENT, "52998224725").replace("2024-03-15T08", "2024-13-15T08"),
        "bad date-time '2024-13-15T08:00:00-0300' in punch",
        "bad_date",
    ),
    (
        _HEADER_671[:250] + "004" + _HEADER_671[253:],
        "unknown layout version '004' in a 671 header",
        "unknown_version",
    ),
    (
        build.employee_1510(2, dt.datetime(2024, 3, 15, 8, 0), "X", "12345678901", "FULANO"),
        "bad operation 'X' in an employee change (expected I, A or E)",
        "bad_operation",
    ),
    (
        build.employee_671(2, _MOMENT, "X", "52998224725", "FULANO"),
        "bad operation 'X' in an employee change (expected I, A or E)",
        "bad_operation",
    ),
    (
        "999999999" + "00000000A" + "0" * 27 + "9",
        "bad trailer (counts must be digits, ending in 9)",
        "bad_trailer",
    ),
]


@pytest.mark.parametrize(("line", "reason", "category"), REJECTIONS)
def test_every_rejection_reason(line: str, reason: str, category: str) -> None:
    with pytest.raises(BadRecord) as info:
        parse_line(line, 1)
    assert (str(info.value), info.value.category) == (reason, category)


def test_the_rejections_above_cover_every_category_the_parser_raises() -> None:
    import inspect
    import re

    from orchestration.ingest import afd

    source = inspect.getsource(afd)
    categories = re.findall(r'BadRecord\(\s*f?"[^"]*",\s*"([a-z_]+)"', source, flags=re.S)
    assert len(categories) == source.count("raise BadRecord("), "a rejection without its category"
    assert set(categories) == {category for _, _, category in REJECTIONS}


def _audit(records: list[Record], auditor: FileAuditor | None = None) -> list[str]:
    auditor = auditor or FileAuditor()
    return [notice.reason for record in records for notice in auditor.check(record)]


def test_nsr_gaps_restarts_and_trailer_mismatch_are_reported() -> None:
    moment = dt.datetime(2024, 3, 15, 8, 0)
    lines = [build.punch_1510(nsr, moment, "12345678901") for nsr in (1, 2, 5, 1, 2, 2)]
    records = [parse_line(line, number) for number, line in enumerate(lines, start=1)]
    records.append(parse_line(build.trailer_1510({"3": 4}), 7))
    auditor = FileAuditor()
    assert _audit(records, auditor) == [
        "NSR gap: 2 then 5 (missing 2)",
        "NSR restarted at 1 after 5: a new NSR run of the clock begins here",
        "NSR out of order: 2 then 2",
        "trailer count mismatch (type 3: trailer 4, found 6)",
    ]
    assert [record.line_number for record in auditor.restarts] == [4]


def _rep_p_chain(count: int) -> list[str]:
    lines, previous = [], ""
    for nsr in range(1, count + 1):
        line = build.punch_rep_p(nsr, dt.datetime(2024, 3, 15, 8, nsr, tzinfo=SP), "52998224725", previous)
        previous = line[73:]
        lines.append(line)
    return lines


def test_rep_p_chain_holds_and_each_break_is_reported_where_it_happens() -> None:
    lines = _rep_p_chain(4)
    # every hash is SHA-256 over fields 1-7 and the previous record's hash (written out here by hand)
    import hashlib

    assert lines[1][73:] == hashlib.sha256((lines[1][:73] + lines[0][73:]).encode()).hexdigest()
    assert _audit([parse_line(line, n) for n, line in enumerate(lines, start=1)]) == []
    altered = list(lines)
    altered[2] = altered[2][:25] + "9" + altered[2][26:]  # the minute of the third punch, hash left alone
    assert _audit([parse_line(line, n) for n, line in enumerate(altered, start=1)]) == [
        "REP-P hash chain broken at NSR 3: the record's SHA-256 does not follow from the previous"
        " type-7 record"
    ]
    removed = [lines[0], lines[2], lines[3]]  # a record taken out of the file
    reasons = _audit([parse_line(line, n) for n, line in enumerate(removed, start=1)])
    assert reasons == [
        "NSR gap: 1 then 3 (missing 1)",
        "REP-P hash chain broken at NSR 3: the record's SHA-256 does not follow from the previous"
        " type-7 record",
    ]


def test_rep_p_chain_continues_from_the_previous_file_of_the_clock() -> None:
    lines = _rep_p_chain(3)
    auditor = FileAuditor()
    assert _audit([parse_line(lines[2], 1)], auditor) == []
    assert auditor.check_chain_start(lines[1][73:]) == []  # the earlier file's last record
    assert [n.category for n in auditor.check_chain_start(lines[0][73:])] == ["rep_p_chain_break"]
    # without the earlier file a chain that does not start at NSR 1 is anchored where it begins
    assert auditor.check_chain_start(None) == []
    first = FileAuditor()
    _audit([parse_line(lines[0], 1)], first)
    assert first.check_chain_start(None) == []  # NSR 1 starts the chain from nothing


def test_the_same_records_under_other_line_endings_have_the_same_content_hash(tmp_path) -> None:
    lines = [build.punch_1510(n, dt.datetime(2024, 3, 15, 8, n), "12345678901") for n in (1, 2)]
    crlf, lf, last = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "c.txt"
    crlf.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    lf.write_bytes(("\n".join(lines) + "\n").encode())
    last.write_bytes("\n".join(lines).encode())
    assert content_sha256(crlf) == content_sha256(lf) == content_sha256(last)
    other = tmp_path / "d.txt"
    other.write_bytes(("\n".join(reversed(lines)) + "\n").encode())
    assert content_sha256(other) != content_sha256(lf)


def test_an_ambiguous_wall_clock_time_is_its_first_daylight_occurrence() -> None:
    # São Paulo left daylight-saving time at 2018-02-18 00:00 (-02 → -03): 23:30 on the 17th happened twice
    ambiguous = local_to_aware(dt.datetime(2018, 2, 17, 23, 30), "America/Sao_Paulo")
    assert ambiguous.astimezone(dt.UTC) == dt.datetime(2018, 2, 18, 1, 30, tzinfo=dt.UTC)
    # 2018-11-04 00:30 did not exist (00:00 → 01:00): read with the offset before the change (-03)
    skipped = local_to_aware(dt.datetime(2018, 11, 4, 0, 30), "America/Sao_Paulo")
    assert skipped.astimezone(dt.UTC) == dt.datetime(2018, 11, 4, 3, 30, tzinfo=dt.UTC)


# line lengths as the Portarias give them (1510 annex I, with the CRC of 595/2013 and the REP-C
# records; 671 annex V, layout 003): the layout table must add up to each
PORTARIA_LENGTHS = {
    ("1", "1510"): 232,
    ("1", "1510_crc"): 236,
    ("1", "671"): 302,
    ("2", "1510"): 299,
    ("2", "1510_crc"): 303,
    ("2", "1510_repc"): 317,
    ("2", "671"): 331,
    ("3", "1510"): 34,
    ("3", "1510_crc"): 38,
    ("3", "671"): 50,
    ("4", "1510"): 34,
    ("4", "1510_crc"): 38,
    ("4", "1510_repc"): 49,
    ("4", "671"): 73,
    ("5", "1510"): 87,
    ("5", "1510_crc"): 91,
    ("5", "1510_repc"): 106,
    ("5", "671"): 118,
    ("6", "1510_repc"): 24,
    ("6", "671"): 36,
    ("7", "671"): 137,
}


def test_the_layout_table_adds_up_to_the_portarias_line_lengths() -> None:
    assert {key: layout.length for key, layout in BY_TYPE_AND_NAME.items()} == PORTARIA_LENGTHS


def _sample(layout: str, name: str) -> str:
    moment = "2024-03-01T08:00:00-0300"
    if layout != "671" and name in ("start_date", "end_date", "generated_date", "date", "after_date"):
        return "01032024"
    return {
        "start_date": "2024-03-01",
        "end_date": "2024-03-31",
        "moment": moment,
        "after": moment,
        "recorded_at": moment,
        "generated_at": moment,
        "time": "0800",
        "after_time": "0805",
        "generated_time": "1200",
        "operation": "I",
        "pis": "12345678901",
        "cpf": "52998224725",
        "layout_version": "003",
        "hash": "ab" * 32,
        "employer_id_type": "1",
        "online": "0",
    }.get(name, "7")


@pytest.mark.parametrize(("record_type", "layout"), sorted(PORTARIA_LENGTHS))
def test_what_the_writer_writes_the_parser_reads_back_field_by_field(record_type: str, layout: str) -> None:
    spec = BY_TYPE_AND_NAME[(record_type, layout)]
    values = {item.name: _sample(layout, item.name) for item in spec.fields}
    line = build.record(record_type, layout, 42, **values)
    parsed = parse_line(line, 1)
    assert (parsed.record_type, parsed.layout, parsed.nsr, len(line)) == (
        record_type,
        layout,
        42,
        spec.length,
    )
    assert parsed.crc_status == ("ok" if spec.crc else "absent")
    padded = {
        item.name: values[item.name].rjust(item.width, "0")
        if item.numeric
        else values[item.name].ljust(item.width)
        for item in spec.fields
    }
    assert spec.split(line) == padded


def _both(parse: Callable[[str], object], reference: Callable[[str], object], text: str) -> None:
    try:
        expected: object = reference(text)
    except ValueError:
        expected = ValueError
    try:
        got: object = parse(text)
    except ValueError:
        got = ValueError
    assert got == expected, text
    if isinstance(got, dt.datetime):
        assert got.utcoffset() == expected.utcoffset(), text  # type: ignore[attr-defined]


def test_the_fast_date_and_time_readers_agree_with_strptime() -> None:
    """A clock file's dates and times are read without strptime; the same values, the same refusals."""
    samples = random.Random(7)
    days = [
        "01012024",
        "29022024",
        "29022023",
        "31042024",
        "00012024",
        "10132024",
        "41012024",
        "1012024 ",
        " 1012024",
        "3101202a",
        "٠١٠١٢٠٢٤",
        "99999999",
        "01010000",
        "31129999",
    ]
    days += ["".join(samples.choice("0123456789") for _ in range(8)) for _ in range(3000)]
    for text in days:
        _both(afd.parse_ddmmyyyy, lambda t: dt.datetime.strptime(t, "%d%m%Y").date(), text)
    clocks = ["0000", "2359", "2400", "0960", "1260", " 930", "09 3", "١٢٠٠"]
    clocks += [f"{n:04d}" for n in range(10000)]
    for text in clocks:
        _both(afd.parse_hhmm, lambda t: dt.datetime.strptime(t, "%H%M").time(), text)
    instants = [
        "2024-01-10T08:00:00-0300",
        "2024-01-10T08:00:00+0000",
        "2024-02-30T08:00:00-0300",
        "2024-01-10T24:00:00-0300",
        "2024-01-10T08:00:60-0300",
        "2024-01-10T08:00:00+2400",
        "2024-01-10T08:00:00+2360",
        "2024-01-10T08:00:00-0060",
        "2024-01-10T08:00:00-03:00",
        "2024-01-10 08:00:00-0300",
        "2024-1-10T08:00:00-0300",
    ]
    for text in instants:
        _both(afd.parse_aware, lambda t: dt.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S%z"), text)
