"""The synthetic controle_ponto dataset: the people and schedules of :mod:`orchestration.generate.ponto`
and one AFD file per clock of :mod:`orchestration.generate.afd`, written together."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace
from pathlib import Path

from orchestration.generate.afd import SHAPES, generate_afd
from orchestration.generate.ponto import SCHEDULES, make_employees, write_employees, write_schedules
from orchestration.ingest.files import make_private


def generate_ponto(
    out: Path,
    employees: int,
    days: int,
    seed: int = 42,
    start: dt.date = dt.date(2025, 1, 1),
    shape: str = "tidy",
) -> dict[str, int]:
    """Employees and schedules CSVs plus one AFD file per clock (1510, 1510 + CRC, 671), from ``start``.

    The same seed gives the same people (the first N of a larger generation are those of a smaller one),
    so a later period of the same company is ``--start`` after the first one."""
    messiness = SHAPES[shape]
    unscheduled = random.Random(f"{seed}:unscheduled")
    people = [
        replace(person, has_schedule=unscheduled.random() >= messiness.unscheduled)
        for person in make_employees(employees, seed)
    ]
    write_employees(out / "employees.csv", people)
    write_schedules(out / "schedules.csv")
    counts = {"employees.csv": len(people), "schedules.csv": sum(len(d) for d in SCHEDULES.values())}
    counts.update(generate_afd(out / "afd", people, start, days, seed, messiness))
    make_private(out)
    return counts
