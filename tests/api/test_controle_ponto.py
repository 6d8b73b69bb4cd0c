"""controle_ponto through PostgREST: the worked examples of design doc §5, from real AFD files
(tests/data/afd, written by make_fixtures.py) through ingestion, the dbt engine and the API."""

import httpx
import pytest

from api_contracts import BiDashClient
from tests.conftest import Platform, token_for

pytestmark = pytest.mark.api
COLUMNS = (
    "work_date,punch_count,worked_minutes,night_minutes,legal_worked_minutes,expected_minutes,balance_minutes,"
    "overtime_50_minutes,overtime_100_minutes,deficit_minutes,break_minutes,is_incomplete,has_break_violation,"
    "suppressed_break_minutes,has_rest_violation,rest_shortfall_minutes"
)


def _days(api: httpx.Client, employee_id: str) -> dict[str, dict]:
    response = api.get(
        "/timesheet_daily",
        params={"employee_id": f"eq.{employee_id}", "select": COLUMNS, "order": "work_date"},
    )
    assert response.status_code == 200, response.text
    return {row.pop("work_date"): row for row in response.json()}


def test_tolerance_examples_e1_incomplete_e3_and_prenoted_break_e8(hr_api: httpx.Client) -> None:
    days = _days(hr_api, "E1")
    e1a, e1b, e1c, e3, e8 = (
        days[d] for d in ("2024-03-04", "2024-03-05", "2024-03-06", "2024-03-07", "2024-03-08")
    )
    assert (e1a["worked_minutes"], e1a["balance_minutes"], e1a["overtime_50_minutes"]) == (490, 0, 0)
    assert (e1b["worked_minutes"], e1b["balance_minutes"], e1b["overtime_50_minutes"]) == (495, 15, 15)
    assert (
        e1c["punch_count"],
        e1c["worked_minutes"],
        e1c["balance_minutes"],
        e1c["overtime_50_minutes"],
    ) == (4, 488, 8, 8)  # the 07:53 press is a duplicate of 07:52
    assert (e3["is_incomplete"], e3["worked_minutes"]) == (True, 240)
    assert (e3["balance_minutes"], e3["overtime_50_minutes"], e3["deficit_minutes"]) == (None, None, None)
    assert (e8["worked_minutes"], e8["balance_minutes"], e8["break_minutes"], e8["has_break_violation"]) == (
        485,
        0,
        60,
        False,
    )


def test_night_shift_e2_stays_one_row_with_the_reduced_hour(hr_api: httpx.Client) -> None:
    assert _days(hr_api, "E2") == {
        "2024-03-05": {
            "punch_count": 4,
            "worked_minutes": 420,
            "night_minutes": 420,
            "legal_worked_minutes": 480,
            "expected_minutes": 480,
            "balance_minutes": 0,
            "overtime_50_minutes": 0,
            "overtime_100_minutes": 0,
            "deficit_minutes": 0,
            "break_minutes": 60,
            "is_incomplete": False,
            "has_break_violation": False,
            "suppressed_break_minutes": 0,
            "has_rest_violation": False,
            "rest_shortfall_minutes": 0,
        }
    }


def test_e5_night_minutes_short_break_and_rest_between_jornadas(hr_api: httpx.Client) -> None:
    days = _days(hr_api, "M1")
    monday, tuesday = days["2024-03-04"], days["2024-03-05"]
    assert (monday["worked_minutes"], monday["night_minutes"], monday["legal_worked_minutes"]) == (
        570,
        60,
        578.57,
    )
    assert (monday["balance_minutes"], monday["overtime_50_minutes"]) == (98.57, 98.57)
    assert (monday["has_break_violation"], monday["suppressed_break_minutes"]) == (True, 30)
    assert (tuesday["has_rest_violation"], tuesday["rest_shortfall_minutes"]) == (True, 120)


def test_punches_keep_duplicates_with_a_reason(hr_api: httpx.Client) -> None:
    rows = hr_api.get("/punches", params={"employee_id": "eq.E1", "status": "eq.duplicate"}).json()
    assert len(rows) == 1
    assert rows[0]["punched_at"] == "2024-03-06T10:53:00+00:00"
    assert rows[0]["reason"] == "within 2 minutes of the previous kept punch"
    all_punches = hr_api.get("/punches", params={"employee_id": "eq.E1", "select": "status"}).json()
    assert len(all_punches) == 18  # 4 + 4 + 5 + 3 + 2 in the file, none lost


def test_monthly_totals_and_hour_bank(platform: Platform) -> None:
    with BiDashClient(platform.api_url, token=token_for(platform.settings, "hr")) as client:
        [march] = client.timesheet_monthly.list(filters={"employee_id": "E1"})
    # balances 0 + 15 + 8 + (E3 incomplete: none) + 0
    assert (str(march.month), march.balance_minutes, march.hour_bank_balance_minutes) == (
        "2024-03-01",
        23,
        23,
    )
    assert (march.jornadas_count, march.incomplete_days, march.overtime_50_minutes) == (5, 1, 23)


def test_anomalies_list_incomplete_days_violations_and_unregistered_people(hr_api: httpx.Client) -> None:
    kinds = {(row["kind"], row["employee_id"]) for row in hr_api.get("/punch_anomalies").json()}
    assert ("incomplete_day", "E1") in kinds
    assert ("break_violation", "M1") in kinds
    assert ("rest_violation", "M1") in kinds
    assert ("duplicate_punch", "E1") in kinds
    # the type-5 record registered 555.66677.78-8: their single punch is an incomplete day, not unknown
    assert ("incomplete_day", "AFD-55566677788") in kinds
    assert not any(kind == "unknown_identity" for kind, _ in kinds)
