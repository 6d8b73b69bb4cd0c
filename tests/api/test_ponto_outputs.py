"""The legal outputs of controle_ponto through the API and the CLI: the AEJ (Portaria 671 art. 83) checked
by a validator written from the design doc's rules and against the API's timesheets, and the Espelho de
Ponto (art. 84) as JSON for each role and as PDF."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from tests.aej_validator import jornada_minutes, records, validate
from tests.conftest import ApiAs, Platform

pytestmark = pytest.mark.api
PERIOD = {"date_from": "2024-03-04", "date_to": "2024-03-08"}


@pytest.fixture(scope="module")
def aej_file(platform: Platform) -> bytes:
    from tests.conftest import token_for

    response = httpx.get(
        f"{platform.api_url}/rpc/aej",
        params=PERIOD,
        headers={"Authorization": f"Bearer {token_for(platform.settings, 'hr')}", "Accept": "text/plain"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    assert 'filename="AEJ_12345678000195_20240304_20240308.txt"' in response.headers["content-disposition"]
    return response.content


def test_the_aej_passes_the_layout_validator(aej_file: bytes) -> None:
    report = validate(aej_file)
    assert report.errors == []
    # what the validator only warns about is what the data really holds: E3 and a forgotten punch-out
    assert all("incomplete jornada" in warning or "used by no" in warning for warning in report.warnings)
    assert "Jo\xe3o Silva".encode("latin-1") in aej_file  # ISO-8859-1, one byte per character


def _dh(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment[:19] + moment[19:22] + ":" + moment[22:])


def test_every_original_punch_of_the_period_appears_once_as_o_with_its_clock(
    aej_file: bytes, hr_api: httpx.Client
) -> None:
    links = {fields[1]: fields[2] for fields in records(aej_file, "03")}  # link -> CPF
    reps = {fields[1]: fields[3] for fields in records(aej_file, "02")}  # idRepAej -> nrRep
    employees = {
        row["cpf"]: row["employee_id"]
        for row in hr_api.get("/employees", params={"select": "employee_id,cpf"}).json()
        if row["cpf"]  # the AEJ links people by CPF: someone known only by PIS is not in it
    }
    written = sorted(
        (employees[links[f[1]]], _dh(f[2]), reps[f[3]]) for f in records(aej_file, "05") if f[6] == "O"
    )
    days = hr_api.get(
        "/timesheet_daily",
        params={"work_date": "gte.2024-03-04", "and": "(work_date.lte.2024-03-08)", "is_absent": "is.false"},
    ).json()
    jornadas = {
        (d["employee_id"], d["jornada_number"]) for d in days if d["employee_id"] in employees.values()
    }
    originals = hr_api.get(
        "/punches", params={"source": "eq.afd", "status": "neq.unattributed", "select": "*"}
    ).json()
    # a set-aside punch has no jornada of its own: it belongs to the one of the treated punch before it
    treated = hr_api.get("/treated_punches", params={"select": "punch_id,employee_id,jornada_number"}).json()
    jornada_of = {row["punch_id"]: (row["employee_id"], row["jornada_number"]) for row in treated}
    expected = sorted(
        (p["employee_id"], dt.datetime.fromisoformat(p["punched_at"]), p["rep_number"].rjust(17, "0"))
        for p in originals
        if jornada_of.get(p["punch_id"]) in jornadas
    )
    assert written == expected
    assert len(expected) > 40


def test_pair_minutes_equal_worked_minutes_and_hour_bank_moves_equal_balances(
    aej_file: bytes, hr_api: httpx.Client
) -> None:
    links = {fields[1]: fields[2] for fields in records(aej_file, "03")}
    cpfs = {
        row["employee_id"]: row["cpf"]
        for row in hr_api.get("/employees", params={"select": "employee_id,cpf"}).json()
    }
    days = hr_api.get(
        "/timesheet_daily", params={"work_date": "gte.2024-03-04", "and": "(work_date.lte.2024-03-08)"}
    ).json()
    minutes = {(links[link], start): total for (link, start), total in jornada_minutes(aej_file).items()}
    checked = 0
    balances: dict[str, int] = defaultdict(int)
    for day in days:
        cpf = cpfs.get(day["employee_id"])
        if cpf not in links.values():
            continue
        if day["balance_minutes"] is not None:
            balances[cpf] += round(Decimal(str(day["balance_minutes"])))
        if day["is_absent"] or day["is_incomplete"]:
            continue
        start = dt.datetime.fromisoformat(day["first_punch_at"])
        assert minutes[(cpf, start)] == pytest.approx(day["worked_minutes"]), day
        checked += 1
    assert checked >= 8
    moves: dict[str, int] = defaultdict(int)
    for fields in records(aej_file, "07"):
        if fields[2] == "3":
            moves[links[fields[1]]] += int(fields[4]) * (1 if fields[5] == "1" else -1)
    assert {cpf: total for cpf, total in balances.items() if total} == {
        cpf: total for cpf, total in moves.items() if total
    }


def test_only_hr_reads_the_aej(api_as: ApiAs) -> None:
    for role, employee_id in (("analyst", None), ("manager", "M1"), ("employee", "E1")):
        refused = api_as(role, employee_id).get("/rpc/aej", params=PERIOD, headers={"Accept": "text/plain"})
        assert refused.status_code in (401, 403), (role, refused.status_code)
    bad = api_as("hr").get("/rpc/aej", params={"date_from": "2024-03-08", "date_to": "2024-03-01"})
    assert bad.status_code == 400 and "date_to" in bad.json()["message"]


def _cli(platform: Platform, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "DBT_"))}
    env["BI_DASH_HOME"] = str(platform.settings.home)
    return subprocess.run(
        [str(Path(sys.executable).parent / "bi-dash"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_cli_writes_the_same_aej_as_the_api(aej_file: bytes, platform: Platform, tmp_path: Path) -> None:
    result = _cli(
        platform, "export", "aej", "--from", "2024-03-04", "--to", "2024-03-08", "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    written = tmp_path / "AEJ_12345678000195_20240304_20240308.txt"
    first, *rest = written.read_bytes().split(b"\r\n")
    api_first, *api_rest = aej_file.split(b"\r\n")
    assert rest == api_rest  # same inputs, same bytes …
    assert first.split(b"|")[:8] == api_first.split(b"|")[:8]  # … but the generation time


def test_the_espelho_follows_who_may_see_whom(api_as: ApiAs) -> None:
    month = {"month": "2024-03-01"}
    own = api_as("employee", "E1").get("/rpc/espelho", params={"employee_id": "E1", **month})
    assert own.status_code == 200, own.text
    document = own.json()
    assert document["employee"]["cpf"] == "11144477735"  # the worker's own document names their CPF
    assert [day["work_date"] for day in document["days"]] == [f"2024-03-0{d}" for d in (4, 5, 6, 7, 8)]
    assert (
        api_as("employee", "E1").get("/rpc/espelho", params={"employee_id": "M1", **month}).status_code == 404
    )
    assert (
        api_as("manager", "M1").get("/rpc/espelho", params={"employee_id": "E1", **month}).status_code == 200
    )
    assert (
        api_as("manager", "E2").get("/rpc/espelho", params={"employee_id": "E1", **month}).status_code == 404
    )
    assert api_as("analyst").get("/rpc/espelho", params={"employee_id": "E1", **month}).status_code in (
        401,
        403,
    )


def test_the_espelho_pdf_holds_every_required_item_of_a_hand_checked_month(
    platform: Platform, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    result = _cli(
        platform, "export", "espelho", "--month", "2024-03", "--employee", "E1", "--out", str(tmp_path)
    )
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "espelho_E1_2024-03.pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    text = " ".join(text.split())
    for item in (
        "EMPRESA EXEMPLO LTDA",  # employer
        "CNPJ 12.345.678/0001-95",
        "João Silva",  # worker, CPF, hire date, function
        "CPF 111.444.777-35",
        "admissão 15/01/2020",
        "cargo/função Auxiliar de produção",
        "01/03/2024 a 31/03/2024",  # period, issue date
        "emissão",
        "STD_44_SEG_SEX (SEG_SEX): 08:00 12:00 13:00 17:00",  # contractual schedule
        "07:55 E1 O",  # E1a's punches, each with its marker and source
        "17:05 S2 O",
        "07:53 D1 O (within 2 minutes of the previous kept punch)",  # the duplicate, with its reason
        "12:00 S1 P",  # E8's pre-noted break
        "8:10",  # E1a worked 490 minutes
        "0:15",  # E1b's balance and overtime
        "incompleta",  # E3
        "banco de horas 0:23",  # the month's hour bank
    ):
        assert item in text, item
