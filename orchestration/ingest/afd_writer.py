"""AFD records written from the layout table the parser reads them with (``afd_layout.py``).

The synthetic clocks (``generate/afd.py``) and the tests' exact fixtures write their lines here, so a
record the writer makes is by construction one the parser recognises.
"""

from __future__ import annotations

import datetime as dt

from orchestration.ingest.afd import crc_hex, rep_p_hash
from orchestration.ingest.afd_layout import BY_TYPE_AND_NAME, REP_P, TRAILER_NSR, TRAILER_TYPES

DEFAULT_COMPANY = "EMPRESA EXEMPLO LTDA"
DEFAULT_CNPJ = "12345678000195"


def record(record_type: str, layout: str, nsr: int, crc_kind: str = "modbus", **values: str) -> str:
    """One record of ``layout`` ('1510', '1510_crc', '1510_repc', '671'): every field of the table by
    name, padded to its width, and its CRC-16 when the layout has one."""
    spec = BY_TYPE_AND_NAME[(record_type, layout)]
    body = spec.join(nsr, values)
    return body + crc_hex(body, crc_kind) if spec.crc else body


def _ddmmyyyy(value: dt.date) -> str:
    return f"{value:%d%m%Y}"


def iso_671(value: dt.datetime) -> str:
    """A 671 moment: local date and time to the minute with its UTC offset (2024-03-10T08:00:00-0300)."""
    offset = value.utcoffset() or dt.timedelta(0)
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{value:%Y-%m-%dT%H:%M:00}{sign}{minutes // 60:02d}{minutes % 60:02d}"


def header_1510(
    nsr: int,
    rep_number: str,
    start: dt.date,
    end: dt.date,
    crc: bool = False,
    company: str = DEFAULT_COMPANY,
    cnpj: str = DEFAULT_CNPJ,
    crc_kind: str = "modbus",
) -> str:
    return record(
        "1",
        "1510_crc" if crc else "1510",
        nsr,
        crc_kind,
        employer_id_type="1",
        employer_id=cnpj,
        cei="",
        company_name=company,
        rep_number=rep_number[:17],
        start_date=_ddmmyyyy(start),
        end_date=_ddmmyyyy(end),
        generated_date=_ddmmyyyy(end),
        generated_time="1200",
    )


def punch_1510(nsr: int, local: dt.datetime, pis: str, crc: bool = False, crc_kind: str = "modbus") -> str:
    layout = "1510_crc" if crc else "1510"
    return record("3", layout, nsr, crc_kind, date=_ddmmyyyy(local), time=f"{local:%H%M}", pis=pis)


def employee_1510(
    nsr: int,
    local: dt.datetime,
    operation: str,
    pis: str,
    name: str,
    crc: bool = False,
    crc_kind: str = "modbus",
) -> str:
    return record(
        "5",
        "1510_crc" if crc else "1510",
        nsr,
        crc_kind,
        date=_ddmmyyyy(local),
        time=f"{local:%H%M}",
        operation=operation,
        pis=pis,
        name=name,
    )


def header_671(
    nsr: int,
    rep_number: str,
    start: dt.date,
    end: dt.date,
    generated: dt.datetime,
    company: str = DEFAULT_COMPANY,
    cnpj: str = DEFAULT_CNPJ,
) -> str:
    return record(
        "1",
        "671",
        nsr,
        employer_id_type="1",
        employer_id=cnpj,
        cno_caepf="",
        company_name=company,
        rep_number=rep_number[:17],
        start_date=start.isoformat(),
        end_date=end.isoformat(),
        generated_at=iso_671(generated),
        layout_version="003",
        developer_id_type="1",
        developer_id="98765432000110",
        rep_model="MODELO REP-C 671",
    )


def punch_671(nsr: int, moment: dt.datetime, cpf: str, kind: str = "modbus") -> str:
    return record("3", "671", nsr, crc_kind=kind, moment=iso_671(moment), cpf=cpf)


def punch_rep_p(
    nsr: int,
    moment: dt.datetime,
    cpf: str,
    previous_hash: str = "",
    recorded: dt.datetime | None = None,
    collector: str = "01",
    online: str = "0",
) -> str:
    """A REP-P (type 7) punch whose SHA-256 continues the chain from ``previous_hash``."""
    values = {
        "moment": iso_671(moment),
        "cpf": cpf,
        "recorded_at": iso_671(recorded or moment),
        "collector": collector,
        "online": online,
    }
    body = REP_P.join(nsr, values, stop="hash")
    return body + rep_p_hash(body, previous_hash)


def employee_671(nsr: int, moment: dt.datetime, operation: str, cpf: str, name: str) -> str:
    return record(
        "5",
        "671",
        nsr,
        moment=iso_671(moment),
        operation=operation,
        cpf=cpf,
        name=name,
        other="",
        responsible_cpf="",
    )


def trailer(layout: str, counts: dict[str, int]) -> str:
    """The trailer of a ``layout`` file ('1510', '1510_repc', '671') with each record type's count."""
    return TRAILER_NSR + "".join(f"{counts.get(t, 0):09d}" for t in TRAILER_TYPES[layout]) + "9"


def trailer_1510(counts: dict[str, int]) -> str:
    return trailer("1510", counts)


def trailer_671(counts: dict[str, int]) -> str:
    return trailer("671", counts)
