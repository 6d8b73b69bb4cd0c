"""Synthetic controle_ponto inputs: employee registry and work schedules, deterministic per seed."""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from api_contracts.vocabulary import DEFAULT_TIME_ZONE
from orchestration.ingest.brazil import CPF_WEIGHTS, PIS_WEIGHTS, check_digit

FIRST = [
    "Ana",
    "Bruno",
    "Carla",
    "Diego",
    "Eduarda",
    "Felipe",
    "Gabriela",
    "Henrique",
    "Isabela",
    "João",
    "Larissa",
    "Marcos",
    "Natália",
    "Otávio",
    "Paula",
    "Rafael",
    "Sofia",
    "Thiago",
    "Vitória",
    "Wagner",
]
LAST = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Araújo",
    "Melo",
    "Barbosa",
    "Cardoso",
    "Rocha",
    "Dias",
]
DEPARTMENTS = ["Operações", "Logística", "Atendimento", "Financeiro", "Produção", "Manutenção"]

# schedule_code -> {ISO weekday: intervals}
SCHEDULES: dict[str, dict[int, str]] = {
    "STD_44": {**dict.fromkeys(range(1, 6), "08:00-12:00,13:00-17:00"), 6: "08:00-12:00"},
    "ADM_40": dict.fromkeys(range(1, 6), "09:00-12:00,13:00-18:00"),
    "NIGHT_12X36": dict.fromkeys(range(1, 6), "22:00-02:00,03:00-06:00"),
    "SPLIT_REST": dict.fromkeys(range(1, 7), "10:00-14:00,18:00-22:00"),
}


def make_cpf(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(9)]
    for weights in CPF_WEIGHTS:
        digits.append(check_digit(digits, weights))
    return "".join(map(str, digits))


def make_pis(rng: random.Random) -> str:
    digits = [rng.randint(0, 9) for _ in range(10)]
    digits.append(check_digit(digits, PIS_WEIGHTS))
    return "".join(map(str, digits))


@dataclass(frozen=True)
class SyntheticEmployee:
    employee_id: str
    name: str
    cpf: str
    pis: str
    department: str
    manager_id: str
    schedule_code: str
    timezone: str
    hired_at: dt.date
    has_schedule: bool = True  # False: the registry leaves schedule_code empty (the person still works)


def make_employees(count: int, seed: int) -> list[SyntheticEmployee]:
    rng = random.Random(seed)
    employees: list[SyntheticEmployee] = []
    managers: dict[str, str] = {}
    for number in range(1, count + 1):
        employee_id = f"E{number:06d}"
        department = DEPARTMENTS[(number - 1) % len(DEPARTMENTS)]
        manager_id = managers.setdefault(department, employee_id)
        schedule = rng.choices(list(SCHEDULES), weights=[70, 15, 10, 5])[0]
        employees.append(
            SyntheticEmployee(
                employee_id=employee_id,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {rng.choice(LAST)}",
                cpf=make_cpf(rng),
                pis=make_pis(rng),
                department=department,
                manager_id="" if manager_id == employee_id else manager_id,
                schedule_code=schedule,
                timezone="America/Manaus" if rng.random() < 0.05 else DEFAULT_TIME_ZONE,
                hired_at=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000)),
            )
        )
    return employees


def write_employees(path: Path, employees: list[SyntheticEmployee]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "employee_id",
                "name",
                "cpf",
                "pis",
                "department",
                "manager_id",
                "schedule_code",
                "timezone",
                "hired_at",
            ]
        )
        for e in employees:
            writer.writerow(
                [
                    e.employee_id,
                    e.name,
                    e.cpf,
                    e.pis,
                    e.department,
                    e.manager_id,
                    e.schedule_code if e.has_schedule else "",
                    e.timezone,
                    e.hired_at.isoformat(),
                ]
            )


def write_schedules(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["schedule_code", "weekday", "intervals"])
        for code, days in SCHEDULES.items():
            for weekday, intervals in sorted(days.items()):
                writer.writerow([code, weekday, intervals])
