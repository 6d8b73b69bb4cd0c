"""Writes the AFD fixtures of the worked examples (run from this folder with the project venv)."""

# hand-checkable AFD fixtures for the worked examples (written once, committed as data)
import datetime as dt

from orchestration.ingest import afd_writer as b

D = dt.datetime
pis_e1 = "10987654321"  # E1, STD_44
lines = [b.header_1510(0, "00004003300000001", dt.date(2024, 3, 4), dt.date(2024, 3, 8))]
nsr = 1


def add(line):
    lines.append(line)


for h, m in [(7, 55), (12, 0), (13, 0), (17, 5)]:
    add(b.punch_1510(nsr, D(2024, 3, 4, h, m), pis_e1))
    nsr += 1
for h, m in [(7, 55), (12, 0), (13, 0), (17, 10)]:
    add(b.punch_1510(nsr, D(2024, 3, 5, h, m), pis_e1))
    nsr += 1
for h, m in [(7, 52), (7, 53), (12, 0), (13, 0), (17, 0)]:
    add(b.punch_1510(nsr, D(2024, 3, 6, h, m), pis_e1))
    nsr += 1
for h, m in [(8, 0), (12, 0), (13, 0)]:
    add(b.punch_1510(nsr, D(2024, 3, 7, h, m), pis_e1))
    nsr += 1
for h, m in [(7, 58), (17, 3)]:
    add(b.punch_1510(nsr, D(2024, 3, 8, h, m), pis_e1))
    nsr += 1
add(b.employee_1510(nsr, D(2024, 3, 4, 7, 0), "I", "55566677788", "Novo Colaborador"))
nsr += 1
add(b.punch_1510(nsr, D(2024, 3, 4, 9, 0), "55566677788"))
nsr += 1
add(b.trailer_1510({"3": nsr - 2, "5": 1}))
open("AFD_1510_E1.txt", "w", encoding="latin-1", newline="").write("".join(l + "\r\n" for l in lines))
SP = dt.timezone(dt.timedelta(hours=-3))
cpf = "98765432100"
lines = [
    b.header_671(
        0, "00004003300000003", dt.date(2024, 3, 4), dt.date(2024, 3, 8), D(2024, 3, 8, 23, 0, tzinfo=SP)
    )
]
nsr = 1
for day, h in [(5, 22), (6, 2), (6, 3), (6, 6)]:
    lines.append(b.punch_671(nsr, D(2024, 3, day, h, 0, tzinfo=SP), cpf))
    nsr += 1
# E5: M1 (CPF 52998224725, STD_44) Mon 13:00, 17:00, 17:30, 23:00; Tue 08:00, 12:00
for day, h, m in [(4, 13, 0), (4, 17, 0), (4, 17, 30), (4, 23, 0), (5, 8, 0), (5, 12, 0)]:
    lines.append(b.punch_671(nsr, D(2024, 3, day, h, m, tzinfo=SP), "52998224725"))
    nsr += 1
lines.append(b.trailer_671({"3": nsr - 1}))
lines.append("ASSINATURA_DIGITAL_EM_ARQUIVO_P7S".ljust(100))
open("AFD_671_E2.txt", "w", encoding="latin-1", newline="").write("".join(l + "\n" for l in lines))
