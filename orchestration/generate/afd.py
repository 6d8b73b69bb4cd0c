"""AFD lines and whole synthetic AFD files (1510, 1510 + CRC, 671), deterministic per seed."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

from api_contracts.vocabulary import DEFAULT_TIME_ZONE
from orchestration.generate.ponto import SCHEDULES, SyntheticEmployee
from orchestration.ingest.afd_writer import (
    employee_671,
    employee_1510,
    header_671,
    header_1510,
    punch_671,
    punch_1510,
    trailer_671,
    trailer_1510,
)


# --- whole files ---------------------------------------------------------------------------------
@dataclass
class Clock:
    rep_number: str
    layout: str  # '1510', '1510_crc', '671'
    lines: list[str] = field(default_factory=list)
    punches: list[tuple[dt.datetime, SyntheticEmployee]] = field(default_factory=list)


def _intervals(text: str) -> list[tuple[dt.time, dt.time]]:
    result = []
    for part in text.split(","):
        start, end = part.split("-")
        result.append((dt.time.fromisoformat(start), dt.time.fromisoformat(end)))
    return result


@dataclass(frozen=True)
class Shape:
    """How messy the synthetic clocks are (probabilities per person and day unless said otherwise)."""

    forgotten: float = 0.01  # a punch is missing
    double: float = 0.01  # pressed twice, a minute apart
    burst: float = 0.0  # three to five presses within two minutes (the clock did not beep)
    unscheduled: float = 0.0  # share of people the registry gives no schedule
    vacation_days: int = 0  # consecutive days without punches, once a year per person


# TIDY is the demo's (and every test's) data; REAL is what real exports look like (bench/, --shape real)
SHAPES = {
    "tidy": Shape(),
    "real": Shape(forgotten=0.03, double=0.02, burst=0.02, unscheduled=0.05, vacation_days=20),
}


def day_punches(
    rng: random.Random, employee: SyntheticEmployee, day: dt.date, shape: Shape = SHAPES["tidy"]
) -> list[dt.datetime]:
    """Local wall-clock punches of one employee on one day (overnight shifts run into the next day)."""
    schedule = SCHEDULES[employee.schedule_code].get(day.isoweekday())
    if not schedule:
        return []
    punches: list[dt.datetime] = []
    previous = dt.datetime.combine(day, dt.time(0))
    for start, end in _intervals(schedule):
        begin = dt.datetime.combine(previous.date(), start)
        if begin < previous:
            begin += dt.timedelta(days=1)
        finish = dt.datetime.combine(begin.date(), end)
        if finish <= begin:
            finish += dt.timedelta(days=1)
        previous = finish
        punches += [begin, finish]
    late = rng.random() < 0.1
    jitter = [dt.timedelta(minutes=rng.randint(-6, 4)) for _ in punches]
    if late:
        jitter[0] = dt.timedelta(minutes=rng.randint(8, 40))
    if rng.random() < 0.12:  # overtime at the end of the day
        jitter[-1] += dt.timedelta(minutes=rng.randint(20, 150))
    result = [moment + delta for moment, delta in zip(punches, jitter, strict=True)]
    if rng.random() < shape.forgotten:  # a forgotten punch
        del result[rng.randrange(len(result))]
    if rng.random() < shape.double:  # pressed twice
        index = rng.randrange(len(result))
        result.insert(index + 1, result[index] + dt.timedelta(minutes=1))
    if shape.burst and rng.random() < shape.burst:
        index = rng.randrange(len(result))
        presses = [
            result[index] + dt.timedelta(seconds=rng.randint(0, 120)) for _ in range(rng.randint(2, 4))
        ]
        result[index + 1 : index + 1] = sorted(presses)
    return [moment.replace(second=0, microsecond=0) for moment in result]


def _vacation(seed: int, employee: SyntheticEmployee, year: int, days: int) -> set[dt.date]:
    if not days:
        return set()
    rng = random.Random(f"{seed}:{employee.employee_id}:{year}")
    first = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365 - days))
    return {first + dt.timedelta(days=offset) for offset in range(days)}


def clock_serials(seed: int, start: dt.date, days: int, employees: int, count: int = 3) -> list[str]:
    """17-digit REP serial numbers of one generation (deterministic)."""
    digest = hashlib.sha256(f"{seed}:{start.isoformat()}:{days}:{employees}".encode()).hexdigest()
    base = int(digest, 16) % 10**6
    return [f"00004{base:06d}{number:06d}" for number in range(1, count + 1)]


def generate_afd(
    out: Path,
    employees: list[SyntheticEmployee],
    start: dt.date,
    days: int,
    seed: int,
    shape: Shape = SHAPES["tidy"],
) -> dict[str, int]:
    """One AFD file per clock: a 1510 clock, a 1510 + CRC (REP-C) clock and a 671 clock.

    Each generation has clocks of its own (their serial numbers follow from the seed and the period):
    an NSR is unique per clock, so two generations must never claim the same clock's NSRs."""
    rng = random.Random(seed)
    national = holidays.country_holidays("BR", years=range(start.year, start.year + days // 365 + 2))
    clocks = [
        Clock(serial, layout)
        for serial, layout in zip(
            clock_serials(seed, start, days, len(employees)), ("1510", "1510_crc", "671"), strict=True
        )
    ]
    for number, employee in enumerate(employees):
        clock = clocks[number % len(clocks)]
        away: set[dt.date] = set()
        for year in range(start.year, start.year + days // 365 + 2):
            away |= _vacation(seed, employee, year, shape.vacation_days)
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            if day in national or day in away:
                continue
            for moment in day_punches(rng, employee, day, shape):
                clock.punches.append((moment, employee))
    end = start + dt.timedelta(days=days - 1)
    counts: dict[str, int] = {}
    out.mkdir(parents=True, exist_ok=True)
    for clock in clocks:
        clock.punches.sort(key=lambda item: (item[0], item[1].employee_id))
        path = out / f"AFD{clock.rep_number}.txt"
        _write_clock(path, clock, start, end, employees)
        counts[path.name] = len(clock.punches)
    return counts


def _write_clock(
    path: Path, clock: Clock, start: dt.date, end: dt.date, employees: Iterable[SyntheticEmployee]
) -> None:
    crc = clock.layout != "1510"
    nsr = 1
    type_counts = {"5": 0, "3": 0}
    with path.open("w", encoding="latin-1", newline="") as handle:

        def write(line: str) -> None:
            handle.write(line + "\r\n")

        if clock.layout == "671":
            generated = dt.datetime.combine(end, dt.time(23, 0), tzinfo=ZoneInfo(DEFAULT_TIME_ZONE))
            write(header_671(0, clock.rep_number, start, end, generated))
        else:
            write(header_1510(0, clock.rep_number, start, end, crc=crc))
        assigned = {employee.employee_id: employee for _, employee in clock.punches}
        for employee in assigned.values():  # the clock's own registration of its people
            when = dt.datetime.combine(start, dt.time(7, 0))
            if clock.layout == "671":
                write(
                    employee_671(
                        nsr,
                        when.replace(tzinfo=ZoneInfo(employee.timezone)),
                        "I",
                        employee.cpf,
                        employee.name,
                    )
                )
            else:
                write(employee_1510(nsr, when, "I", employee.pis, employee.name, crc=crc))
            nsr += 1
            type_counts["5"] += 1
        for moment, employee in clock.punches:
            if clock.layout == "671":
                write(punch_671(nsr, moment.replace(tzinfo=ZoneInfo(employee.timezone)), employee.cpf))
            else:
                write(punch_1510(nsr, moment, employee.pis, crc=crc))
            nsr += 1
            type_counts["3"] += 1
        if clock.layout == "671":
            write(trailer_671(type_counts))
            write("ASSINATURA_DIGITAL_EM_ARQUIVO_P7S".ljust(100))
        else:
            write(trailer_1510(type_counts))
