"""The AFD record layouts, written once: the fields of each record type in each layout, in order.

The parser (``afd.py``) recognises a record by its type and length and splits it with this table; the
writer (``afd_writer.py``) joins values with it. A record is its NSR (9 digits), its type (1 character),
the fields below and, where the layout has one, a CRC-16 (4 hexadecimal characters). Lengths are derived
from the widths, never written down. Sources: Portaria 1510/2009 annex I (with the CRC of Portaria
595/2013 and the REP-C records it amended) and Portaria 671/2021 annex V (layout 003).

A field the parser does not read is one span (``details``, ``other``): the table still fixes its width,
so the lengths stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass

NSR_WIDTH, TYPE_WIDTH, CRC_WIDTH = 9, 1, 4
PREFIX_WIDTH = NSR_WIDTH + TYPE_WIDTH


@dataclass(frozen=True)
class Field:
    name: str
    width: int
    numeric: bool = False  # written right-aligned with zeros (else left-aligned with spaces, cut to width)


@dataclass(frozen=True)
class Layout:
    name: str  # '1510', '1510_crc', '1510_repc', '671'
    record_type: str
    fields: tuple[Field, ...]
    crc: bool

    @property
    def length(self) -> int:
        return PREFIX_WIDTH + sum(f.width for f in self.fields) + (CRC_WIDTH if self.crc else 0)

    def start(self, name: str) -> int:
        """Where field ``name`` starts in a line (0-based)."""
        position = PREFIX_WIDTH
        for item in self.fields:
            if item.name == name:
                return position
            position += item.width
        raise KeyError(name)

    def split(self, line: str) -> dict[str, str]:
        """The raw text of each field of ``line`` (a record of this layout)."""
        values, start = {}, PREFIX_WIDTH
        for item in self.fields:
            values[item.name] = line[start : start + item.width]
            start += item.width
        return values

    def join(self, nsr: int, values: dict[str, str], stop: str | None = None) -> str:
        """NSR, type and the fields up to ``stop`` (all when None), each padded to its width; no CRC."""
        parts = [f"{nsr:0{NSR_WIDTH}d}", self.record_type]
        for item in self.fields:
            if item.name == stop:
                break
            text = values[item.name]
            if item.numeric:
                if len(text) > item.width:
                    raise ValueError(f"{item.name}: {text!r} is wider than {item.width}")
                parts.append(text.rjust(item.width, "0"))
            else:
                parts.append(text.ljust(item.width)[: item.width])
        return "".join(parts)


def _f(name: str, width: int) -> Field:
    return Field(name, width)


def _n(name: str, width: int) -> Field:
    return Field(name, width, numeric=True)


# the fields shared by the variants of a record: 1510 wall-clock dates and times, 671 ISO 8601 moments
_1510_WHEN = (_n("date", 8), _n("time", 4))
_671_WHEN = (_f("moment", 24),)
_HEADER_1510 = (
    _f("employer_id_type", 1),
    _n("employer_id", 14),
    _n("cei", 12),
    _f("company_name", 150),
    _n("rep_number", 17),
    _n("start_date", 8),
    _n("end_date", 8),
    _n("generated_date", 8),
    _n("generated_time", 4),
)
_PUNCH_1510 = (*_1510_WHEN, _n("pis", 12))
_ADJUSTMENT_1510 = (*_1510_WHEN, _n("after_date", 8), _n("after_time", 4))
_EMPLOYEE_1510 = (*_1510_WHEN, _f("operation", 1), _n("pis", 12), _f("name", 52))
_COMPANY_1510 = (*_1510_WHEN, _f("details", 277))

_LAYOUTS = (
    Layout("1510", "1", _HEADER_1510, crc=False),
    Layout("1510_crc", "1", _HEADER_1510, crc=True),
    Layout("1510", "2", _COMPANY_1510, crc=False),
    Layout("1510_crc", "2", _COMPANY_1510, crc=True),
    Layout("1510_repc", "2", (*_COMPANY_1510, _f("other", 14)), crc=True),
    Layout("1510", "3", _PUNCH_1510, crc=False),
    Layout("1510_crc", "3", _PUNCH_1510, crc=True),
    Layout("1510", "4", _ADJUSTMENT_1510, crc=False),
    Layout("1510_crc", "4", _ADJUSTMENT_1510, crc=True),
    Layout("1510_repc", "4", (*_ADJUSTMENT_1510, _n("responsible_cpf", 11)), crc=True),
    Layout("1510", "5", _EMPLOYEE_1510, crc=False),
    Layout("1510_crc", "5", _EMPLOYEE_1510, crc=True),
    Layout("1510_repc", "5", (*_EMPLOYEE_1510, _f("other", 4), _n("responsible_cpf", 11)), crc=True),
    Layout("1510_repc", "6", (*_1510_WHEN, _n("event_code", 2)), crc=False),
    Layout(
        "671",
        "1",
        (
            _f("employer_id_type", 1),
            _n("employer_id", 14),
            _n("cno_caepf", 14),
            _f("company_name", 150),
            _n("rep_number", 17),
            _f("start_date", 10),
            _f("end_date", 10),
            _f("generated_at", 24),
            _n("layout_version", 3),
            _f("developer_id_type", 1),
            _n("developer_id", 14),
            _f("rep_model", 30),
        ),
        crc=True,
    ),
    Layout("671", "2", (*_671_WHEN, _f("details", 293)), crc=True),
    Layout("671", "3", (*_671_WHEN, _f("cpf", 12)), crc=True),
    Layout("671", "4", (*_671_WHEN, _f("after", 24), _n("responsible_cpf", 11)), crc=True),
    Layout(
        "671",
        "5",
        (*_671_WHEN, _f("operation", 1), _f("cpf", 12), _f("name", 52), _f("other", 4))
        + (_n("responsible_cpf", 11),),
        crc=True,
    ),
    Layout("671", "6", (*_671_WHEN, _n("event_code", 2)), crc=False),
    # REP-P: the record ends in the SHA-256 of itself chained with the previous one, not a CRC
    Layout(
        "671",
        "7",
        (*_671_WHEN, _f("cpf", 12), _f("recorded_at", 24), _n("collector", 2), _f("online", 1))
        + (_f("hash", 64),),
        crc=False,
    ),
)

# (record type, line length) -> its layout: how a record is recognised, line by line
BY_TYPE_AND_LENGTH: dict[tuple[str, int], Layout] = {(i.record_type, i.length): i for i in _LAYOUTS}
# (record type, layout name) -> its layout: what a writer asks for
BY_TYPE_AND_NAME: dict[tuple[str, str], Layout] = {(i.record_type, i.name): i for i in _LAYOUTS}

# the trailer: 999999999, one 9-digit count per record type of the layout, and a final 9
TRAILER_NSR = "999999999"
TRAILER_TYPES = {"1510": "2345", "1510_repc": "23456", "671": "234567"}
TRAILER_LENGTHS = {len(TRAILER_NSR) + 9 * len(types) + 1: name for name, types in TRAILER_TYPES.items()}
REP_P = BY_TYPE_AND_NAME[("7", "671")]
