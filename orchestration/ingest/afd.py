"""AFD (Arquivo Fonte de Dados) parsing: Portaria 1510 (with or without CRC, REP-C amended records)
and Portaria 671 (layout 003). Streaming, one record per line; the layout is detected per record
from its type and length, never per file, because real exports mix them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "America/Sao_Paulo"
_HEX4 = re.compile(r"^[0-9A-Fa-f]{4}$")
_DIGITS = re.compile(r"^\d+$")


# --- CRC-16 ----------------------------------------------------------------------------------------
def _table(poly: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


_REFLECTED_A001 = _table(0xA001)  # MODBUS (init 0xFFFF)
_REFLECTED_8408 = _table(0x8408)  # KERMIT (init 0x0000), CCITT polynomial reflected


def crc16_modbus(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc = (crc >> 8) ^ _REFLECTED_A001[(crc ^ byte) & 0xFF]
    return crc


def crc16_kermit(data: bytes) -> int:
    crc = 0x0000
    for byte in data:
        crc = (crc >> 8) ^ _REFLECTED_8408[(crc ^ byte) & 0xFF]
    return crc


def crc_hex(body: str, kind: str = "modbus") -> str:
    data = body.encode("latin-1", errors="replace")
    value = crc16_modbus(data) if kind == "modbus" else crc16_kermit(data)
    return f"{value:04X}"


def check_crc(line: str) -> str:
    """'ok' when the last 4 hex characters are the CRC-16 (MODBUS or KERMIT) of the rest, else 'mismatch'."""
    body, given = line[:-4], line[-4:].upper()
    if not _HEX4.match(given):
        return "mismatch"
    if given in (crc_hex(body, "modbus"), crc_hex(body, "kermit")):
        return "ok"
    return "mismatch"


# --- records ----------------------------------------------------------------------------------------
class BadRecord(ValueError):
    """The line cannot be used; the message is the quarantine reason."""


@dataclass
class Record:
    line_number: int
    raw: str
    record_type: str  # '1'..'7', '9' (trailer) or 'signature'
    layout: str  # '1510', '1510_crc', '1510_repc', '671'
    nsr: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    crc_status: str = "absent"
    occurred_at: dt.datetime | None = None  # aware
    local_time: dt.datetime | None = None  # wall clock of 1510 records (zone applied at load)


# (type, length) -> layout name, CRC present
LAYOUTS: dict[tuple[str, int], tuple[str, bool]] = {
    ("1", 232): ("1510", False),
    ("1", 236): ("1510_crc", True),
    ("1", 302): ("671", True),
    ("2", 299): ("1510", False),
    ("2", 303): ("1510_crc", True),
    ("2", 317): ("1510_repc", True),
    ("2", 331): ("671", True),
    ("3", 34): ("1510", False),
    ("3", 38): ("1510_crc", True),
    ("3", 50): ("671", True),
    ("4", 34): ("1510", False),
    ("4", 38): ("1510_crc", True),
    ("4", 49): ("1510_repc", True),
    ("4", 73): ("671", True),
    ("5", 87): ("1510", False),
    ("5", 91): ("1510_crc", True),
    ("5", 106): ("1510_repc", True),
    ("5", 118): ("671", True),
    ("6", 24): ("1510_repc", False),
    ("6", 36): ("671", False),
    ("7", 137): ("671", False),
}
TRAILER_LENGTHS = {46: "1510", 55: "1510_repc", 64: "671"}


def _date_1510(text: str, what: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%d%m%Y").date()
    except ValueError:
        raise BadRecord(f"bad date {text!r} in {what}") from None


def _local_1510(date_text: str, time_text: str, what: str) -> dt.datetime:
    day = _date_1510(date_text, what)
    try:
        clock = dt.datetime.strptime(time_text, "%H%M").time()
    except ValueError:
        raise BadRecord(f"bad time {time_text!r} in {what}") from None
    return dt.datetime.combine(day, clock)


def _aware_671(text: str, what: str) -> dt.datetime:
    try:
        value = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        raise BadRecord(f"bad date-time {text!r} in {what}") from None
    return value


def _identifier_1510(text: str) -> tuple[str, str]:
    """12-digit field: PIS left-padded with 0; art. 96 adapted REPs write 9+CPF."""
    if not _DIGITS.match(text):
        raise BadRecord(f"bad PIS {text!r}")
    if text[0] == "9":
        return "cpf", text[1:]
    return "pis", text[-11:]


def _cpf_671(text: str) -> tuple[str, str]:
    value = text.strip()
    if not _DIGITS.match(value) or len(value) not in (11, 12):
        raise BadRecord(f"bad CPF {text!r}")
    if len(value) == 12:  # old REP adapted under art. 96: 0+PIS or 9+CPF
        return ("cpf", value[1:]) if value[0] == "9" else ("pis", value[1:])
    return "cpf", value


def parse_line(line: str, line_number: int) -> Record:
    """Parse one AFD line (without its line break) or raise BadRecord with the reason."""
    if line.startswith("ASSINATURA_DIGITAL"):
        return Record(line_number, line, "signature", "671")
    if len(line) < 10:
        raise BadRecord(f"line too short ({len(line)} characters)")
    if line.startswith("999999999") and len(line) in TRAILER_LENGTHS:
        return _trailer(line, line_number)
    nsr_text, record_type = line[:9], line[9]
    layout_info = LAYOUTS.get((record_type, len(line)))
    if layout_info is None:
        if record_type not in "1234567":
            raise BadRecord(f"unknown record type {record_type!r}")
        raise BadRecord(f"bad length {len(line)} for a type {record_type} record")
    layout, has_crc = layout_info
    if not _DIGITS.match(nsr_text):
        raise BadRecord(f"bad NSR {nsr_text!r}")
    record = Record(line_number, line, record_type, layout, nsr=int(nsr_text))
    if has_crc:
        record.crc_status = check_crc(line)
    parser = _PARSERS.get((record_type, "671" if layout == "671" else "1510"))
    if parser is not None:
        parser(record, line)
    return record


def _header_1510(record: Record, line: str) -> None:
    record.fields = {
        "employer_id_type": line[10],
        "employer_id": line[11:25].strip(),
        "cei": line[25:37].strip(),
        "company_name": line[37:187].strip(),
        "rep_number": line[187:204].strip(),
        "start_date": _date_1510(line[204:212], "start date").isoformat(),
        "end_date": _date_1510(line[212:220], "end date").isoformat(),
    }


def _header_671(record: Record, line: str) -> None:
    version = line[250:253]
    if version != "003":
        raise BadRecord(f"unknown layout version {version!r} in a 671 header")
    record.fields = {
        "employer_id_type": line[10],
        "employer_id": line[11:25].strip(),
        "company_name": line[39:189].strip(),
        "rep_number": line[189:206].strip(),
        "layout_version": version,
    }


def _punch_1510(record: Record, line: str) -> None:
    record.local_time = _local_1510(line[10:18], line[18:22], "punch")
    kind, identifier = _identifier_1510(line[22:34])
    record.fields = {"identifier_kind": kind, "identifier": identifier}


def _punch_671(record: Record, line: str) -> None:
    record.occurred_at = _aware_671(line[10:34], "punch")
    kind, identifier = _cpf_671(line[34:46])
    record.fields = {"identifier_kind": kind, "identifier": identifier}


def _punch_rep_p(record: Record, line: str) -> None:
    record.occurred_at = _aware_671(line[10:34], "punch")
    kind, identifier = _cpf_671(line[34:46])
    record.fields = {
        "identifier_kind": kind,
        "identifier": identifier,
        "recorded_at": line[46:70],
        "collector": line[70:72],
        "online": line[72],
        "hash": line[73:137],
    }


def _clock_adjustment_1510(record: Record, line: str) -> None:
    record.local_time = _local_1510(line[10:18], line[18:22], "adjustment (before)")
    after = _local_1510(line[22:30], line[30:34], "adjustment (after)")
    record.fields = {"before": record.local_time.isoformat(), "after": after.isoformat()}
    if record.layout == "1510_repc":
        record.fields["responsible_cpf"] = line[34:45]


def _clock_adjustment_671(record: Record, line: str) -> None:
    record.occurred_at = _aware_671(line[10:34], "adjustment (before)")
    after = _aware_671(line[34:58], "adjustment (after)")
    record.fields = {
        "before": record.occurred_at.isoformat(),
        "after": after.isoformat(),
        "responsible_cpf": line[58:69],
    }


def _employee_1510(record: Record, line: str) -> None:
    record.local_time = _local_1510(line[10:18], line[18:22], "employee change")
    operation = line[22]
    if operation not in "IAE":
        raise BadRecord(f"bad operation {operation!r} in an employee change (expected I, A or E)")
    kind, identifier = _identifier_1510(line[23:35])
    record.fields = {
        "operation": operation,
        "identifier_kind": kind,
        "identifier": identifier,
        "name": line[35:87].strip(),
    }


def _employee_671(record: Record, line: str) -> None:
    record.occurred_at = _aware_671(line[10:34], "employee change")
    operation = line[34]
    if operation not in "IAE":
        raise BadRecord(f"bad operation {operation!r} in an employee change (expected I, A or E)")
    kind, identifier = _cpf_671(line[35:47])
    record.fields = {
        "operation": operation,
        "identifier_kind": kind,
        "identifier": identifier,
        "name": line[47:99].strip(),
    }


def _company_change(record: Record, line: str) -> None:
    if record.layout == "671":
        record.occurred_at = _aware_671(line[10:34], "company change")
    else:
        record.local_time = _local_1510(line[10:18], line[18:22], "company change")


def _event(record: Record, line: str) -> None:
    if record.layout == "671":
        record.occurred_at = _aware_671(line[10:34], "event")
        record.fields = {"event_code": line[34:36]}
    else:
        record.local_time = _local_1510(line[10:18], line[18:22], "event")
        record.fields = {"event_code": line[22:24]}


def _trailer(line: str, line_number: int) -> Record:
    layout = TRAILER_LENGTHS[len(line)]
    body = line[9:-1]
    if not _DIGITS.match(body) or line[-1] != "9":
        raise BadRecord("bad trailer (counts must be digits, ending in 9)")
    counts = [int(body[i : i + 9]) for i in range(0, len(body), 9)]
    types = "2345" if layout == "1510" else "23456" if layout == "1510_repc" else "234567"
    return Record(
        line_number,
        line,
        "9",
        layout,
        fields={f"type_{t}": str(c) for t, c in zip(types, counts, strict=True)},
    )


_PARSERS = {
    ("1", "1510"): _header_1510,
    ("1", "671"): _header_671,
    ("2", "1510"): _company_change,
    ("2", "671"): _company_change,
    ("3", "1510"): _punch_1510,
    ("3", "671"): _punch_671,
    ("4", "1510"): _clock_adjustment_1510,
    ("4", "671"): _clock_adjustment_671,
    ("5", "1510"): _employee_1510,
    ("5", "671"): _employee_671,
    ("6", "1510"): _event,
    ("6", "671"): _event,
    ("7", "671"): _punch_rep_p,
}


# --- a whole file --------------------------------------------------------------------------------
def decode(raw: bytes) -> str:
    """UTF-8 when the line is valid UTF-8, else ISO-8859-1 (the AFD standard encoding)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            yield number, decode(raw.rstrip(b"\r\n"))


@dataclass
class Notice:
    line_number: int
    raw: str
    reason: str


def parse_lines(lines: Iterable[tuple[int, str]]) -> Iterator[Record | Notice]:
    for number, text in lines:
        if not text.strip():
            continue
        try:
            yield parse_line(text, number)
        except BadRecord as exc:
            yield Notice(number, text, str(exc))


def audit_stream() -> Generator[list[Notice], Record, None]:
    """Send records in file order; each send answers the notices that record reveals: NSR gaps and
    out-of-order NSRs (a restart at 1 is not a gap), and trailer counts that disagree with the records."""
    previous_nsr: int | None = None
    counts: dict[str, int] = {}
    notices: list[Notice] = []
    while True:
        record = yield notices
        notices = []
        if record.record_type == "9":
            expected = {key[-1]: int(value) for key, value in record.fields.items()}
            found = {t: counts.get(t, 0) for t in expected}
            if expected != found:
                detail = ", ".join(
                    f"type {t}: trailer {expected[t]}, found {found[t]}"
                    for t in expected
                    if expected[t] != found[t]
                )
                notices.append(Notice(record.line_number, record.raw, f"trailer count mismatch ({detail})"))
            continue
        if record.nsr is None:
            continue
        if record.record_type != "1":
            counts[record.record_type] = counts.get(record.record_type, 0) + 1
        if previous_nsr is not None and record.nsr != 1:
            if record.nsr > previous_nsr + 1:
                notices.append(
                    Notice(
                        record.line_number,
                        record.raw,
                        f"NSR gap: {previous_nsr} then {record.nsr} "
                        f"(missing {record.nsr - previous_nsr - 1})",
                    )
                )
            elif record.nsr <= previous_nsr:
                notices.append(
                    Notice(
                        record.line_number, record.raw, f"NSR out of order: {previous_nsr} then {record.nsr}"
                    )
                )
        previous_nsr = record.nsr


def local_to_aware(value: dt.datetime, zone: str) -> dt.datetime:
    return value.replace(tzinfo=ZoneInfo(zone))
