"""Real-shaped AFD fixtures (run from this folder with the project venv): what real exports of several
clock makers do that tidy files do not. Written once, committed as data; each case is asserted through
the API in tests/api/test_controle_ponto.py.

- AFD00012345600000077.txt, a Control iD REP-C (1510 + CRC-16/CCITT-FALSE, LF line endings): a burst of
  four presses in two minutes, a forgotten punch-out (Wednesday 17:41 → Thursday 07:00), someone the
  registry lacks, a
  person registered by a type-5 record only (no schedule), work on Christmas 2014, a signature line
  after the trailer.
- AFD00098765400000012.txt, a Henry REP-C (1510 + CRC-16/MODBUS, CR LF) whose NSR count restarts: night
  shifts across the end (2018-02-17) and the start (2018-11-03) of daylight-saving time; the break of
  the first one begins at 23:30, an hour that happened twice that night.
- AFD00000000000000099.txt, a REP-P (671, type 7 records) whose SHA-256 chain is broken once.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from orchestration.ingest import afd_writer as b

D = dt.datetime
SP = ZoneInfo("America/Sao_Paulo")
R1_PIS, R3_PIS, UNKNOWN_PIS, NEW_PIS = "52601815907", "60913909967", "83016613182", "03082462814"
R1_CPF = "94821993597"


def control_id_punch(nsr: int, local: dt.datetime, pis: str) -> str:
    return b.punch_1510(nsr, local, pis, crc=True, crc_kind="ccitt_false")


def control_id_employee(nsr: int, local: dt.datetime, pis: str, name: str) -> str:
    return b.employee_1510(nsr, local, "I", pis, name, crc=True, crc_kind="ccitt_false")


def write(name: str, lines: list[str], newline: str) -> None:
    with open(name, "w", encoding="latin-1", newline="") as handle:
        handle.write("".join(line + newline for line in lines))


# --- Control iD --------------------------------------------------------------------------------
rep = "00012345600000077"
header = b.header_1510(0, rep, dt.date(2014, 12, 25), dt.date(2024, 3, 7), crc=True, crc_kind="ccitt_false")
punches = [
    (D(2014, 12, 25, 8, 0), R1_PIS),
    (D(2014, 12, 25, 12, 0), R1_PIS),
    (D(2024, 3, 4, 7, 58), R1_PIS),  # a burst: the clock did not beep, she pressed again and again
    (D(2024, 3, 4, 7, 58), R1_PIS),
    (D(2024, 3, 4, 7, 59), R1_PIS),
    (D(2024, 3, 4, 8, 0), R1_PIS),
    (D(2024, 3, 4, 9, 0), UNKNOWN_PIS),  # a visitor's badge: nobody has this PIS
    (D(2024, 3, 4, 12, 0), R1_PIS),
    (D(2024, 3, 4, 13, 0), R1_PIS),
    (D(2024, 3, 4, 17, 0), R1_PIS),
    (D(2024, 3, 5, 8, 0), NEW_PIS),
    (D(2024, 3, 5, 17, 0), NEW_PIS),
    (D(2024, 3, 6, 17, 41), R1_PIS),  # the evening punch-out of Wednesday is forgotten …
    (D(2024, 3, 7, 7, 0), R1_PIS),  # … so it pairs with Thursday's arrival (then she left: a sick day)
]
lines = [header, control_id_employee(1, D(2024, 3, 5, 7, 30), NEW_PIS, "Sem Horário da Silva")]
lines += [control_id_punch(nsr, moment, pis) for nsr, (moment, pis) in enumerate(punches, start=2)]
lines.append(b.trailer_1510({"3": len(punches), "5": 1}))
lines.append("ASSINATURA_DIGITAL_EM_ARQUIVO_P7S".ljust(100))
write(f"afd/AFD{rep}.txt", lines, "\n")

# --- Henry, with an NSR restart -----------------------------------------------------------------
rep = "00098765400000012"
lines = [b.header_1510(0, rep, dt.date(2018, 2, 17), dt.date(2018, 11, 4), crc=True)]
night = [D(2018, 2, 17, 22, 0), D(2018, 2, 17, 23, 30), D(2018, 2, 18, 0, 15), D(2018, 2, 18, 6, 0)]
for nsr, moment in enumerate(night, start=1):
    lines.append(b.punch_1510(nsr, moment, R3_PIS, crc=True))
for nsr, moment in enumerate([D(2018, 11, 3, 22, 0), D(2018, 11, 4, 6, 0)], start=1):  # after a repair
    lines.append(b.punch_1510(nsr, moment, R3_PIS, crc=True))
lines.append("999999999" + "0" * 9 + f"{6:09d}" + "0" * 18 + "9")
write(f"afd/AFD{rep}.txt", lines, "\r\n")

# --- REP-P with a broken chain -----------------------------------------------------------------
rep = "00000000000000099"
generated = D(2024, 3, 8, 23, 0, tzinfo=SP)
lines = [b.header_671(0, rep, dt.date(2024, 3, 8), dt.date(2024, 3, 8), generated)]
previous = ""
records = []
for nsr, (hour, minute) in enumerate([(8, 0), (12, 0), (13, 0), (17, 0)], start=1):
    line = b.punch_rep_p(nsr, D(2024, 3, 8, hour, minute, tzinfo=SP), R1_CPF, previous)
    previous = line[73:]
    records.append(line)
records[2] = records[2][:25] + "5" + records[2][26:]  # 13:00 became 13:05 after the hash was written
lines += records
lines.append(b.trailer_671({"7": 4}))
write(f"afd/AFD{rep}.txt", lines, "\r\n")
