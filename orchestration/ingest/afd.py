"""AFD (Arquivo Fonte de Dados) parsing: Portaria 1510 (with or without CRC, REP-C amended records)
and Portaria 671 (layout 003). Streaming, one record per line; the layout is detected per record
from its type and length, never per file, because real exports mix them."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from orchestration.ingest.afd_layout import (
    BY_TYPE_AND_LENGTH,
    CRC_WIDTH,
    NSR_WIDTH,
    PREFIX_WIDTH,
    REP_P,
    TRAILER_LENGTHS,
    TRAILER_NSR,
    TRAILER_TYPES,
)

_HEX4 = re.compile(r"^[0-9A-Fa-f]{4}$")
_DIGITS = re.compile(r"^\d+$")


# --- CRC-16 ----------------------------------------------------------------------------------------
def _reflected_table(poly: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc)
    return table


def _forward_table(poly: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return table


_REFLECTED_A001 = _reflected_table(0xA001)  # MODBUS (init 0xFFFF)
_REFLECTED_8408 = _reflected_table(0x8408)  # KERMIT (init 0x0000), CCITT polynomial reflected
_FORWARD_1021 = _forward_table(0x1021)  # CCITT-FALSE (init 0xFFFF, not reflected)


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


def crc16_ccitt_false(data: bytes) -> int:
    crc = 0xFFFF
    for byte in data:
        crc = ((crc << 8) & 0xFFFF) ^ _FORWARD_1021[((crc >> 8) ^ byte) & 0xFF]
    return crc


# every CRC-16 seen in real REP exports, in the order they are tried: MODBUS (Henry-style REP-C),
# CCITT-FALSE (Control iD REP-C), KERMIT (REP-A / REP-P); the names are raw.afd_punches.crc_algorithm's
CRC_ALGORITHMS: dict[str, Callable[[bytes], int]] = {
    "modbus": crc16_modbus,
    "ccitt_false": crc16_ccitt_false,
    "kermit": crc16_kermit,
}


def crc_hex(body: str, kind: str = "modbus") -> str:
    return f"{CRC_ALGORITHMS[kind](body.encode('latin-1', errors='replace')):04X}"


def check_crc(line: str) -> tuple[str, str | None]:
    """('ok', algorithm) when the last 4 hex characters are a CRC-16 of the rest, else ('mismatch', None)."""
    body, given = line[:-CRC_WIDTH], line[-CRC_WIDTH:].upper()
    if _HEX4.match(given):
        data = body.encode("latin-1", errors="replace")
        for name, algorithm in CRC_ALGORITHMS.items():
            if f"{algorithm(data):04X}" == given:
                return "ok", name
    return "mismatch", None


# --- records ----------------------------------------------------------------------------------------
class BadRecord(ValueError):
    """The line cannot be used; the message is the quarantine reason, ``category`` its kind for machines."""

    def __init__(self, message: str, category: str = "unusable_line") -> None:
        super().__init__(message)
        self.category = category


@dataclass
class Record:
    line_number: int
    raw: str
    record_type: str  # '1'..'7', '9' (trailer) or 'signature'
    layout: str  # '1510', '1510_crc', '1510_repc', '671'
    nsr: int | None = None
    fields: dict[str, str] = field(default_factory=dict)
    crc_status: str = "absent"
    crc_algorithm: str | None = None
    occurred_at: dt.datetime | None = None  # aware
    local_time: dt.datetime | None = None  # wall clock of 1510 records (zone applied at load)


# A clock file holds a date and a time on every punch: strptime's cost dominated the load. Fixed-width
# fields of ASCII digits are read directly (the same values and the same refusals as strptime's:
# tests/unit/test_afd_parser.py compares them); anything else still goes to strptime.
_ASCII_DIGITS = re.compile(r"[0-9]+")
_AWARE_671 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})([+-])([0-9]{2})([0-9]{2})"
)


def parse_ddmmyyyy(text: str) -> dt.date:
    """strptime(text, "%d%m%Y").date(); ValueError when it is no date."""
    if len(text) == 8 and _ASCII_DIGITS.fullmatch(text):
        return dt.date(int(text[4:]), int(text[2:4]), int(text[:2]))
    return dt.datetime.strptime(text, "%d%m%Y").date()


def parse_hhmm(text: str) -> dt.time:
    """strptime(text, "%H%M").time(); ValueError when it is no clock time."""
    if len(text) == 4 and _ASCII_DIGITS.fullmatch(text):
        return dt.time(int(text[:2]), int(text[2:]))
    return dt.datetime.strptime(text, "%H%M").time()


def parse_aware(text: str) -> dt.datetime:
    """strptime(text, "%Y-%m-%dT%H:%M:%S%z"); ValueError when it is no such date-time."""
    found = _AWARE_671.fullmatch(text)
    if found is None:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
    year, month, day, hour, minute, second, sign, off_hours, off_minutes = found.groups()
    offset = dt.timedelta(hours=int(off_hours), minutes=int(off_minutes))
    if int(off_minutes) > 59 or offset >= dt.timedelta(hours=24):
        raise ValueError(f"offset out of range: {text!r}")
    return dt.datetime(
        int(year),
        int(month),
        int(day),
        int(hour),
        int(minute),
        int(second),
        tzinfo=dt.timezone(-offset if sign == "-" else offset),
    )


def _date_1510(text: str, what: str) -> dt.date:
    try:
        return parse_ddmmyyyy(text)
    except ValueError:
        raise BadRecord(f"bad date {text!r} in {what}", "bad_date") from None


def _local_1510(date_text: str, time_text: str, what: str) -> dt.datetime:
    day = _date_1510(date_text, what)
    try:
        clock = parse_hhmm(time_text)
    except ValueError:
        raise BadRecord(f"bad time {time_text!r} in {what}", "bad_time") from None
    return dt.datetime.combine(day, clock)


def _aware_671(text: str, what: str) -> dt.datetime:
    try:
        return parse_aware(text)
    except ValueError:
        raise BadRecord(f"bad date-time {text!r} in {what}", "bad_date") from None


def _identifier_1510(text: str) -> tuple[str, str]:
    """12-digit field: PIS left-padded with 0; art. 96 adapted REPs write 9+CPF."""
    if not _DIGITS.match(text):
        raise BadRecord(f"bad PIS {text!r}", "bad_identifier")
    if text[0] == "9":
        return "cpf", text[1:]
    return "pis", text[-11:]


def _cpf_671(text: str) -> tuple[str, str]:
    value = text.strip()
    if not _DIGITS.match(value) or len(value) not in (11, 12):
        raise BadRecord(f"bad CPF {text!r}", "bad_identifier")
    if len(value) == 12:  # old REP adapted under art. 96: 0+PIS or 9+CPF
        return ("cpf", value[1:]) if value[0] == "9" else ("pis", value[1:])
    return "cpf", value


SIGNATURE_PREFIX = "ASSINATURA_DIGITAL"


def is_signature_line(line: str) -> bool:
    """`ASSINATURA_DIGITAL_EM_ARQUIVO_P7S…` of any length, whatever padding or case a clock writes."""
    return line.lstrip("\ufeff\x00 \t").upper().startswith(SIGNATURE_PREFIX)


def signature_record(line: str, line_number: int, note: str = "") -> Record:
    return Record(line_number, line, "signature", "671", fields={"note": note} if note else {})


def parse_line(line: str, line_number: int) -> Record:
    """Parse one AFD line (without its line break) or raise BadRecord with the reason."""
    if is_signature_line(line):
        return signature_record(line, line_number)
    if len(line) < PREFIX_WIDTH:
        raise BadRecord(f"line too short ({len(line)} characters)", "too_short")
    if line.startswith(TRAILER_NSR) and len(line) in TRAILER_LENGTHS:
        return _trailer(line, line_number)
    nsr_text, record_type = line[:NSR_WIDTH], line[NSR_WIDTH]
    layout = BY_TYPE_AND_LENGTH.get((record_type, len(line)))
    if layout is None:
        if record_type not in "1234567":
            raise BadRecord(f"unknown record type {record_type!r}", "unknown_type")
        raise BadRecord(f"bad length {len(line)} for a type {record_type} record", "bad_length")
    if not _DIGITS.match(nsr_text):
        raise BadRecord(f"bad NSR {nsr_text!r}", "bad_nsr")
    record = Record(line_number, line, record_type, layout.name, nsr=int(nsr_text))
    if layout.crc:
        record.crc_status, record.crc_algorithm = check_crc(line)
    parser = _PARSERS.get((record_type, "671" if layout.name == "671" else "1510"))
    if parser is not None:
        parser(record, layout.split(line))
    return record


def _header_1510(record: Record, values: dict[str, str]) -> None:
    record.fields = {
        "employer_id_type": values["employer_id_type"],
        "employer_id": values["employer_id"].strip(),
        "cei": values["cei"].strip(),
        "company_name": values["company_name"].strip(),
        "rep_number": values["rep_number"].strip(),
        "start_date": _date_1510(values["start_date"], "start date").isoformat(),
        "end_date": _date_1510(values["end_date"], "end date").isoformat(),
    }


def _header_671(record: Record, values: dict[str, str]) -> None:
    version = values["layout_version"]
    if version != "003":
        raise BadRecord(f"unknown layout version {version!r} in a 671 header", "unknown_version")
    record.fields = {
        "employer_id_type": values["employer_id_type"],
        "employer_id": values["employer_id"].strip(),
        "company_name": values["company_name"].strip(),
        "rep_number": values["rep_number"].strip(),
        "layout_version": version,
    }


def _punch_1510(record: Record, values: dict[str, str]) -> None:
    record.local_time = _local_1510(values["date"], values["time"], "punch")
    kind, identifier = _identifier_1510(values["pis"])
    record.fields = {"identifier_kind": kind, "identifier": identifier}


def _punch_671(record: Record, values: dict[str, str]) -> None:
    record.occurred_at = _aware_671(values["moment"], "punch")
    kind, identifier = _cpf_671(values["cpf"])
    record.fields = {"identifier_kind": kind, "identifier": identifier}


def _punch_rep_p(record: Record, values: dict[str, str]) -> None:
    _punch_671(record, values)
    record.fields.update(
        {name: values[name] for name in ("recorded_at", "collector", "online", "hash")},
    )


def _clock_adjustment_1510(record: Record, values: dict[str, str]) -> None:
    record.local_time = _local_1510(values["date"], values["time"], "adjustment (before)")
    after = _local_1510(values["after_date"], values["after_time"], "adjustment (after)")
    record.fields = {"before": record.local_time.isoformat(), "after": after.isoformat()}
    if "responsible_cpf" in values:
        record.fields["responsible_cpf"] = values["responsible_cpf"]


def _clock_adjustment_671(record: Record, values: dict[str, str]) -> None:
    record.occurred_at = _aware_671(values["moment"], "adjustment (before)")
    after = _aware_671(values["after"], "adjustment (after)")
    record.fields = {
        "before": record.occurred_at.isoformat(),
        "after": after.isoformat(),
        "responsible_cpf": values["responsible_cpf"],
    }


def _operation(text: str) -> str:
    if text not in ("I", "A", "E"):
        raise BadRecord(f"bad operation {text!r} in an employee change (expected I, A or E)", "bad_operation")
    return text


def _employee_1510(record: Record, values: dict[str, str]) -> None:
    record.local_time = _local_1510(values["date"], values["time"], "employee change")
    operation = _operation(values["operation"])
    kind, identifier = _identifier_1510(values["pis"])
    record.fields = {"operation": operation, "identifier_kind": kind, "identifier": identifier}
    record.fields["name"] = values["name"].strip()


def _employee_671(record: Record, values: dict[str, str]) -> None:
    record.occurred_at = _aware_671(values["moment"], "employee change")
    operation = _operation(values["operation"])
    kind, identifier = _cpf_671(values["cpf"])
    record.fields = {"operation": operation, "identifier_kind": kind, "identifier": identifier}
    record.fields["name"] = values["name"].strip()


def _company_change(record: Record, values: dict[str, str]) -> None:
    if record.layout == "671":
        record.occurred_at = _aware_671(values["moment"], "company change")
    else:
        record.local_time = _local_1510(values["date"], values["time"], "company change")


def _event(record: Record, values: dict[str, str]) -> None:
    if record.layout == "671":
        record.occurred_at = _aware_671(values["moment"], "event")
    else:
        record.local_time = _local_1510(values["date"], values["time"], "event")
    record.fields = {"event_code": values["event_code"]}


def _trailer(line: str, line_number: int) -> Record:
    layout = TRAILER_LENGTHS[len(line)]
    body = line[NSR_WIDTH:-1]
    if not _DIGITS.match(body) or line[-1] != "9":
        raise BadRecord("bad trailer (counts must be digits, ending in 9)", "bad_trailer")
    counts = [int(body[i : i + 9]) for i in range(0, len(body), 9)]
    return Record(
        line_number,
        line,
        "9",
        layout,
        fields={f"type_{t}": str(c) for t, c in zip(TRAILER_TYPES[layout], counts, strict=True)},
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


def content_sha256(path: Path) -> str:
    """Hash of the file's lines whatever their line endings (CR LF, LF, a missing last one): the same
    records exported with other line endings are the same file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for raw in handle:
            digest.update(raw.rstrip(b"\r\n") + b"\n")
    return digest.hexdigest()


@dataclass
class Notice:
    line_number: int
    raw: str
    reason: str
    category: str = "unusable_line"


def parse_lines(lines: Iterable[tuple[int, str]]) -> Iterator[Record | Notice]:
    """Records and unusable lines (as notices with their reason). What follows the trailer and is not a
    record is the file's digital signature, whatever its form (clocks write it differently)."""
    after_trailer = False
    for number, text in lines:
        if not text.strip():
            continue
        try:
            record = parse_line(text, number)
        except BadRecord as exc:
            if after_trailer:
                yield signature_record(text, number, "line after the trailer")
            else:
                yield Notice(number, text, str(exc), exc.category)
            continue
        after_trailer = after_trailer or record.record_type == "9"
        yield record


def rep_p_hash(line: str, previous_hash: str) -> str:
    """SHA-256 of a REP-P type-7 record: its fields 1-7 (positions 1-73, everything before the hash)
    followed by the hash of the previous type-7 record of the REP (nothing for the first), in lower-case
    hex (Portaria 671, Anexo V; our reading, see the design doc)."""
    body = line[: REP_P.start("hash")]
    return hashlib.sha256((body + previous_hash).encode("latin-1", errors="replace")).hexdigest()


class FileAuditor:
    """Send records in file order; :meth:`check` answers the notices each one reveals:

    - NSR gaps and out-of-order NSRs; an NSR that falls back to 1 while time moves on is a restart of
      the clock's count, which opens a new NSR run (``restarts``), not a gap;
    - trailer counts that disagree with the records;
    - breaks of the REP-P (type 7) SHA-256 chain inside the file. Whether the file's first type-7 record
      follows from the clock's records loaded before is answered by :meth:`check_chain_start`, given the
      hash of the REP's previous type-7 record.
    """

    def __init__(self) -> None:
        self.previous_nsr: int | None = None
        self.counts: dict[str, int] = {}
        self.restarts: list[Record] = []
        self.rep_number = ""
        self.chain_start: Record | None = None
        self._chain: str | None = None
        self._previous_moment: dt.datetime | None = None

    def check(self, record: Record) -> list[Notice]:
        if record.record_type == "1":
            self.rep_number = record.fields.get("rep_number", "") or self.rep_number
        if record.record_type == "9":
            return self._trailer(record)
        if record.nsr is None:
            return []
        notices: list[Notice] = []
        if record.record_type != "1":
            self.counts[record.record_type] = self.counts.get(record.record_type, 0) + 1
        previous = self.previous_nsr
        moment = _moment(record)
        moves_on = moment is None or self._previous_moment is None or moment >= self._previous_moment
        if previous is not None and record.nsr == 1 and previous > 1 and moves_on:
            self.restarts.append(record)
            notices.append(
                Notice(
                    record.line_number,
                    record.raw,
                    f"NSR restarted at 1 after {previous}: a new NSR run of the clock begins here",
                    "nsr_restart",
                )
            )
        elif previous is not None and record.nsr > previous + 1:
            notices.append(
                Notice(
                    record.line_number,
                    record.raw,
                    f"NSR gap: {previous} then {record.nsr} (missing {record.nsr - previous - 1})",
                    "nsr_gap",
                )
            )
        elif previous is not None and record.nsr <= previous and record.record_type != "1":
            notices.append(
                Notice(
                    record.line_number,
                    record.raw,
                    f"NSR out of order: {previous} then {record.nsr}",
                    "nsr_order",
                )
            )
        if record.record_type != "1":
            self.previous_nsr = record.nsr
            self._previous_moment = moment or self._previous_moment
        if record.record_type == "7":
            notices.extend(self._chain_link(record))
        return notices

    def _chain_link(self, record: Record) -> list[Notice]:
        given = record.fields.get("hash", "").lower()
        if self._chain is None:  # the file's first type-7 record: see check_chain_start
            self.chain_start, self._chain = record, given
            return []
        expected = rep_p_hash(record.raw, self._chain)
        self._chain = given
        return [] if given == expected else [_chain_break(record)]

    def check_chain_start(self, previous_hash: str | None) -> list[Notice]:
        """The file's first type-7 record against the REP's previous one (None: none was loaded, and a
        chain that does not start at NSR 1 is anchored where the file begins)."""
        record = self.chain_start
        if record is None or (previous_hash is None and record.nsr != 1):
            return []
        expected = rep_p_hash(record.raw, previous_hash or "")
        return [] if record.fields.get("hash", "").lower() == expected else [_chain_break(record)]

    def _trailer(self, record: Record) -> list[Notice]:
        expected = {key[-1]: int(value) for key, value in record.fields.items()}
        found = {t: self.counts.get(t, 0) for t in expected}
        if expected == found:
            return []
        detail = ", ".join(
            f"type {t}: trailer {expected[t]}, found {found[t]}" for t in expected if expected[t] != found[t]
        )
        return [Notice(record.line_number, record.raw, f"trailer count mismatch ({detail})", "trailer_count")]


def _moment(record: Record) -> dt.datetime | None:
    """When the record happened, comparable within a file (wall clock of 1510, UTC of 671)."""
    if record.local_time is not None:
        return record.local_time
    if record.occurred_at is not None:
        return record.occurred_at.astimezone(dt.UTC).replace(tzinfo=None)
    return None


def _chain_break(record: Record) -> Notice:
    return Notice(
        record.line_number,
        record.raw,
        f"REP-P hash chain broken at NSR {record.nsr}: the record's SHA-256 does not follow from the"
        " previous type-7 record",
        "rep_p_chain_break",
    )


def local_to_aware(value: dt.datetime, zone: str) -> dt.datetime:
    """A wall-clock time in ``zone``. An ambiguous time (the hour repeated when daylight-saving time
    ends) is its first, daylight occurrence (fold 0); a time that does not exist (skipped when it
    begins) is read with the offset before the change. The dbt macro ``local_to_instant`` does the same."""
    return value.replace(tzinfo=ZoneInfo(zone), fold=0)
