"""A checker of AEJ files (Arquivo Eletrônico de Jornada, Portaria MTP 671/2021 Anexo VI), written from
the rules of ../shared/design/ponto_outputs.md §1 and §3 only (not from the code that writes the file):
bytes, line endings, field counts, sizes, formats, values, check digits, order and multiplicity,
references between records, conditional fields, pairing, dates in the period, trailer counts and the
signature line. ``validate`` returns the errors and the warnings."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

ORDER = ["01", "02", "03", "04", "05", "06", "07", "08", "99"]
FIELDS = {"01": 10, "02": 4, "03": 4, "05": 9, "06": 3, "07": 6, "08": 7, "99": 9}
SIGNATURE = "ASSINATURA_DIGITAL_EM_ARQUIVO_P7S".ljust(100)
DH = re.compile(r"^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):([0-5]\d):00([+-])(\d{2})(\d{2})$")
H = re.compile(r"^([01]\d|2[0-3])[0-5]\d$")


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, line: int, message: str) -> None:
        self.errors.append(f"line {line}: {message}")

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(f"line {line}: {message}")


def _digit(digits: list[int], weights: list[int]) -> int:
    rest = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
    return 0 if rest < 2 else 11 - rest


def valid_cpf(value: str) -> bool:
    if not re.fullmatch(r"\d{11}", value) or len(set(value)) == 1:
        return False
    d = [int(c) for c in value]
    return d[9] == _digit(d[:9], list(range(10, 1, -1))) and d[10] == _digit(d[:10], list(range(11, 1, -1)))


def valid_cnpj(value: str) -> bool:
    if not re.fullmatch(r"\d{14}", value) or len(set(value)) == 1:
        return False
    d = [int(c) for c in value]
    first = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    return d[12] == _digit(d[:12], first) and d[13] == _digit(d[:13], [6, *first])


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def _number(value: str, low: int, high: int) -> bool:
    return bool(re.fullmatch(rf"\d{{{low},{high}}}", value)) if high else value == ""


def _text(value: str, low: int, high: int) -> bool:
    return low <= len(value) <= high


@dataclass
class Punch:
    line: int
    link: str
    at: dt.datetime
    rep: str
    kind: str
    pair: int
    source: str
    timetable: str
    reason: str


def validate(content: bytes) -> Report:  # one pass over the layout, rule by rule
    report = Report()
    if not content.endswith(b"\r\n"):
        report.error(0, "the last line must end with CR LF")
    text = content.decode("latin-1")
    raw_lines = text.split("\r\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines = raw_lines[:-1]
    for number, line in enumerate(raw_lines, start=1):
        if "\r" in line or "\n" in line:
            report.error(number, "a line break other than CR LF")
        if line == "":
            report.error(number, "blank line")
    if not raw_lines or raw_lines[-1] != SIGNATURE:
        report.error(len(raw_lines), "the last line must be the signature line (padded to 100 characters)")
    records = raw_lines[:-1] if raw_lines and raw_lines[-1] == SIGNATURE else raw_lines
    counts: Counter[str] = Counter()
    reps: dict[str, int] = {}
    links: dict[str, str] = {}
    timetables: dict[str, list[str]] = {}
    punches: list[Punch] = []
    period: tuple[dt.date, dt.date] | None = None
    previous_position = -1
    used_reps: set[str] = set()
    used_timetables: set[str] = set()
    for number, line in enumerate(records, start=1):
        fields = line.split("|")
        kind = fields[0]
        if kind not in ORDER:
            report.error(number, f"unknown record type {kind!r}")
            continue
        position = ORDER.index(kind)
        if position < previous_position:
            report.error(number, f"record {kind} after record {ORDER[previous_position]}")
        previous_position = max(previous_position, position)
        counts[kind] += 1
        expected = FIELDS.get(kind)
        if kind == "04":
            if len(fields) < 7 or (len(fields) - 3) % 2:
                report.error(number, f"record 04 has {len(fields)} fields (at least 7, pairs complete)")
                continue
        elif len(fields) != expected:
            report.error(number, f"record {kind} has {len(fields)} fields, expected {expected}")
            continue
        if kind == "01":
            if number != 1:
                report.error(number, "record 01 must be the first line")
            _, id_type, employer, caepf, cno, name, first, last, generated, version = fields
            if id_type == "1" and not valid_cnpj(employer):
                report.error(number, f"invalid CNPJ {employer}")
            elif id_type == "2" and not valid_cpf(employer):
                report.error(number, f"invalid CPF {employer}")
            elif id_type not in ("1", "2"):
                report.error(number, f"tpIdtEmpregador {id_type!r}")
            if caepf and not _number(caepf, 14, 14) or cno and not _number(cno, 12, 12):
                report.error(number, "CAEPF must have 14 digits and CNO 12")
            if not _text(name, 1, 150):
                report.error(number, "razaoOuNome must have 1 to 150 characters")
            start, end = _date(first), _date(last)
            if start is None or end is None or end < start:
                report.error(number, f"bad period {first} .. {last}")
            else:
                period = (start, end)
            if not DH.match(generated):
                report.error(number, f"dataHoraGerAej {generated!r} is not YYYY-MM-DDThh:mm:00±hhmm")
            if version not in ("001", "002"):
                report.error(number, f"versaoAej {version!r}")
        elif kind == "02":
            _, rep_id, rep_type, rep_number = fields
            if not _number(rep_id, 1, 9) or rep_id in reps:
                report.error(number, f"idRepAej {rep_id!r} must be 1-9 digits and unique")
            if rep_type not in ("1", "2", "3") or not _number(rep_number, 17, 17):
                report.error(number, f"tpRep {rep_type!r} / nrRep {rep_number!r}")
            reps[rep_id] = number
        elif kind == "03":
            _, link, cpf, name = fields
            if not _number(link, 1, 9) or link in links:
                report.error(number, f"idtVinculoAej {link!r} must be 1-9 digits and unique")
            if not valid_cpf(cpf):
                report.error(number, f"invalid CPF {cpf}")
            if not _text(name, 1, 150):
                report.error(number, "nomeEmp must have 1 to 150 characters")
            links[link] = cpf
        elif kind == "04":
            code, duration, hours = fields[1], fields[2], fields[3:]
            if not _text(code, 1, 30) or code in timetables:
                report.error(number, f"codHorContratual {code!r} must be 1-30 characters and unique")
            if not _number(duration, 1, 12):
                report.error(number, f"durJornada {duration!r}")
            filled = [bool(value) for value in hours]
            if (
                not filled[0]
                or not filled[1]
                or any((not a and b) for a, b in zip(filled, filled[1:], strict=False))
            ):
                report.error(number, "hours: pairs must be complete, no empty pair before a filled one")
            for left, right in zip(hours[::2], hours[1::2], strict=True):
                if bool(left) != bool(right):
                    report.error(number, "an incomplete pair of hours")
            if any(value and not H.match(value) for value in hours):
                report.error(number, "hours must be hhmm")
            timetables[code] = hours
        elif kind == "05":
            _, link, moment, rep_id, mark, pair, source, code, reason = fields
            if link not in links:
                report.error(number, f"idtVinculoAej {link} is not a record 03")
            parsed = DH.match(moment)
            if not parsed:
                report.error(number, f"dataHoraMarc {moment!r}")
                continue
            if rep_id and rep_id not in reps:
                report.error(number, f"idRepAej {rep_id} is not a record 02")
            if source == "O" and not rep_id:
                report.error(number, "an original punch (fonte O) needs its idRepAej")
            if mark not in ("E", "S", "D") or not re.fullmatch(r"\d{3}", pair):
                report.error(number, f"tpMarc {mark!r} / seqEntSaida {pair!r}")
            if source not in ("O", "I", "P", "X", "T"):
                report.error(number, f"fonteMarc {source!r}")
            if code and code not in timetables:
                report.error(number, f"codHorContratual {code!r} is not a record 04")
            if mark == "E" and pair == "001" and not code:
                report.error(number, "codHorContratual is mandatory on E 001")
            if (mark == "D" or source == "I") and not reason:
                report.error(number, "motivo is mandatory for D and for included punches")
            if len(reason) > 150:
                report.error(number, "motivo longer than 150 characters")
            used_reps.add(rep_id)
            used_timetables.add(code)
            at = dt.datetime.fromisoformat(moment[:19] + moment[19:22] + ":" + moment[22:])
            punches.append(Punch(number, link, at, rep_id, mark, int(pair), source, code, reason))
        elif kind == "06":
            _, link, registration = fields
            if link not in links or not _text(registration, 1, 30):
                report.error(number, "record 06 must name a record 03 and a matrícula of 1-30 characters")
        elif kind == "07":
            _, link, absence, day, minutes, movement = fields
            if link not in links:
                report.error(number, f"idtVinculoAej {link} is not a record 03")
            if absence not in ("1", "2", "3", "4"):
                report.error(number, f"tipoAusenOuComp {absence!r}")
            when = _date(day)
            if when is None or period and not period[0] <= when <= period[1]:
                report.error(number, f"data {day!r} outside the period")
            if minutes and not _number(minutes, 1, 12) or movement not in ("", "1", "2"):
                report.error(number, f"qtMinutos {minutes!r} / tipoMovBH {movement!r}")
            if absence == "3" and (not minutes or not movement):
                report.error(number, "an hour-bank move needs qtMinutos and tipoMovBH")
        elif kind == "08":
            _, program, version, dev_type, developer, name, email = fields
            if not _text(program, 1, 150) or not _text(version, 1, 8) or not _text(name, 1, 150):
                report.error(number, "nomeProg 1-150, versaoProg 1-8, razaoNomeDesenv 1-150")
            if not (dev_type == "1" and valid_cnpj(developer) or dev_type == "2" and valid_cpf(developer)):
                report.error(number, f"idtDesenv {developer!r} of type {dev_type!r}")
            if not _text(email, 1, 50):
                report.error(number, "emailDesenv 1-50 characters")
        elif kind == "99":
            for position_, value in enumerate(fields[1:], start=1):
                record = f"{position_:02d}"
                if not _number(value, 1, 9) or int(value) != counts[record]:
                    report.error(number, f"trailer count of {record}: {value}, found {counts[record]}")
    for kind, (low, high) in {"01": (1, 1), "08": (1, 1), "99": (1, 1)}.items():
        if not low <= counts[kind] <= high:
            (report.error if kind != "08" or counts[kind] == 0 else report.warn)(
                0, f"{counts[kind]} record(s) {kind}, expected one"
            )
    _check_pairing(punches, period, timetables, report)
    for rep_id in set(reps) - used_reps:
        report.warn(reps[rep_id], f"REP {rep_id} is used by no punch")
    for code in set(timetables) - used_timetables:
        report.warn(0, f"timetable {code} is used by no punch")
    return report


def _check_pairing(
    punches: list[Punch],
    period: tuple[dt.date, dt.date] | None,
    timetables: dict[str, list[str]],
    report: Report,
) -> None:
    """Per link in time order (D ignored): E001 opens a jornada, S n follows E n, E n>1 follows S n-1."""
    by_link: dict[str, list[Punch]] = defaultdict(list)
    for punch in punches:
        by_link[punch.link].append(punch)
    for items in by_link.values():
        if items != sorted(items, key=lambda p: (p.at, p.line)):
            report.error(items[0].line, "records 05 of a link must be in time order")
        previous: Punch | None = None
        for punch in (p for p in items if p.kind != "D"):
            if punch.kind == "E" and punch.pair == 1:
                if previous is not None and previous.kind == "E":
                    report.warn(previous.line, "incomplete jornada (an E without its S)")
                if period and not period[0] <= punch.at.date() <= period[1]:
                    report.error(punch.line, "a jornada must start (E 001) within the period")
            elif punch.kind == "S":
                if previous is None or previous.kind != "E" or previous.pair != punch.pair:
                    report.error(punch.line, f"S {punch.pair:03d} does not follow E {punch.pair:03d}")
            elif punch.kind == "E":
                if previous is None or previous.kind != "S" or previous.pair != punch.pair - 1:
                    report.error(punch.line, f"E {punch.pair:03d} does not follow S {punch.pair - 1:03d}")
            previous = punch
        if previous is not None and previous.kind == "E":
            report.warn(previous.line, "incomplete jornada (an E without its S)")


def records(content: bytes, kind: str) -> list[list[str]]:
    """The fields of every record of one type."""
    return [
        line.split("|") for line in content.decode("latin-1").split("\r\n") if line.startswith(kind + "|")
    ]


def jornada_minutes(content: bytes) -> dict[tuple[str, dt.datetime], float]:
    """(link, E 001 instant) -> minutes of the jornada's complete pairs (D ignored)."""
    totals: dict[tuple[str, dt.datetime], float] = {}
    opened: dict[str, tuple[dt.datetime, dt.datetime | None]] = {}
    for fields in records(content, "05"):
        link, moment, mark, pair = fields[1], fields[2], fields[4], fields[5]
        if mark == "D":
            continue
        at = dt.datetime.fromisoformat(moment[:19] + moment[19:22] + ":" + moment[22:])
        if mark == "E" and pair == "001":
            opened[link] = (at, at)
            totals[(link, at)] = 0.0
        elif mark == "E":
            opened[link] = (opened[link][0], at)
        elif mark == "S" and link in opened:
            start, entry = opened[link]
            if entry is not None:
                totals[(link, start)] += (at - entry).total_seconds() / 60
            opened[link] = (start, None)
    return totals
