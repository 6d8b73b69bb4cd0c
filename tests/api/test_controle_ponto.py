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
    unknown = hr_api.get("/punch_anomalies", params={"kind": "eq.unknown_identity"}).json()
    assert [row["detail"].split("(REP ")[1][:17] for row in unknown] == [
        "00012345600000077"
    ]  # only the visitor


# --- real-shaped exports (tests/data/ponto_real, written by its make_fixtures.py) -------------------
def _day(api: httpx.Client, employee_id: str, work_date: str) -> dict:
    rows = api.get(
        "/timesheet_daily", params={"employee_id": f"eq.{employee_id}", "work_date": f"eq.{work_date}"}
    ).json()
    assert len(rows) == 1, rows
    return rows[0]


def test_a_burst_of_presses_publishes_with_one_kept_punch_and_unique_anomalies(hr_api: httpx.Client) -> None:
    presses = hr_api.get(
        "/punches",
        params={
            "employee_id": "eq.R1",
            "punched_at": "lt.2024-03-04T11:01:00Z",
            "order": "punched_at,punch_id",
            "select": "punched_at,status",
        },
    ).json()
    burst = [row for row in presses if row["punched_at"].startswith("2024-03-04")]
    assert [row["status"] for row in burst] == ["kept", "duplicate", "duplicate", "duplicate"]
    monday = _day(hr_api, "R1", "2024-03-04")
    assert (monday["punch_count"], monday["worked_minutes"], monday["balance_minutes"]) == (4, 482, 0)
    anomalies = hr_api.get("/punch_anomalies", params={"select": "anomaly_id"}).json()
    ids = [row["anomaly_id"] for row in anomalies]
    assert len(ids) == len(set(ids))
    assert sum(anomaly_id.startswith("duplicate_punch:") for anomaly_id in ids) >= 3


def test_a_forgotten_punch_out_needs_review_instead_of_adding_overtime(hr_api: httpx.Client) -> None:
    wednesday = _day(hr_api, "R1", "2024-03-06")
    assert (wednesday["worked_minutes"], wednesday["needs_review"], wednesday["review_reason"]) == (
        799,
        True,
        "implausible_length",
    )
    assert [wednesday[k] for k in ("balance_minutes", "overtime_50_minutes", "deficit_minutes")] == [None] * 3
    review = hr_api.get(
        "/punch_anomalies", params={"kind": "eq.needs_review", "employee_id": "eq.R1", "select": "punch_id"}
    ).json()
    assert review == [{"punch_id": wednesday["first_punch_id"]}]
    [march] = hr_api.get(
        "/timesheet_monthly", params={"employee_id": "eq.R1", "month": "eq.2024-03-01"}
    ).json()
    assert march["review_days"] == 1 and march["overtime_50_minutes"] < 120  # no 13-hour "overtime"


def test_unknown_people_appear_in_punches_for_hr_only(hr_api: httpx.Client, api_as) -> None:  # type: ignore[no-untyped-def]
    rows = hr_api.get("/punches", params={"status": "eq.unattributed"}).json()
    assert [(row["employee_id"], row["rep_number"], row["punched_at"]) for row in rows] == [
        (None, "00012345600000077", "2024-03-04T12:00:00+00:00")
    ]
    assert api_as("employee", "R1").get("/punches", params={"status": "eq.unattributed"}).json() == []


def test_people_without_a_schedule_get_no_silent_overtime(hr_api: httpx.Client) -> None:
    [person] = hr_api.get("/employees", params={"pis": "eq.03082462814", "select": "employee_id,name"}).json()
    assert person == {"employee_id": "AFD-03082462814", "name": "Sem Horário da Silva"}
    day = _day(hr_api, "AFD-03082462814", "2024-03-05")
    assert (day["worked_minutes"], day["expected_minutes"], day["balance_minutes"]) == (540, None, None)
    assert (day["needs_review"], day["review_reason"], day["overtime_50_minutes"]) == (
        True,
        "no_schedule",
        None,
    )


def test_christmas_2014_is_a_holiday(hr_api: httpx.Client) -> None:
    christmas = _day(hr_api, "R1", "2014-12-25")
    assert (christmas["is_holiday"], christmas["expected_minutes"], christmas["overtime_100_minutes"]) == (
        True,
        0,
        240,
    )
    assert christmas["overtime_50_minutes"] == 0


def test_nights_across_dst_changes_count_elapsed_minutes_and_the_nsr_restart_loses_nothing(
    hr_api: httpx.Client,
) -> None:
    # the end of DST: in 22:00 (-02), out 23:30 (an hour that happened twice: its first occurrence, -02),
    # in 00:15 (-03), out 06:00 (-03): 90 + 345 = 435 minutes really passed, all of them night work
    long_night = _day(hr_api, "R3", "2018-02-17")
    punches = hr_api.get(
        "/punches", params={"employee_id": "eq.R3", "order": "punched_at", "select": "punched_at,nsr"}
    ).json()
    assert [row["punched_at"] for row in punches][:4] == [
        "2018-02-18T00:00:00+00:00",
        "2018-02-18T01:30:00+00:00",
        "2018-02-18T03:15:00+00:00",
        "2018-02-18T09:00:00+00:00",
    ]
    assert [row["nsr"] for row in punches] == [1, 2, 3, 4, 1, 2]  # the restarted count kept both runs
    assert (long_night["worked_minutes"], long_night["night_minutes"]) == (435, 435)
    short_night = _day(hr_api, "R3", "2018-11-03")
    assert (short_night["worked_minutes"], short_night["night_minutes"]) == (420, 420)


def test_control_id_crcs_match_and_a_broken_rep_p_chain_is_an_anomaly(platform: Platform) -> None:
    with platform.admin.connect() as conn:
        algorithms = dict(
            conn.execute(
                "select rep_number, string_agg(distinct coalesce(crc_algorithm, crc_status), ',')"
                " from raw.afd_punches where rep_number in ('00012345600000077', '00098765400000012')"
                " group by 1"
            ).fetchall()
        )
    assert algorithms == {"00012345600000077": "ccitt_false", "00098765400000012": "modbus"}
    with httpx.Client(
        base_url=platform.api_url, headers={"Authorization": f"Bearer {token_for(platform.settings, 'hr')}"}
    ) as hr:
        kinds = [row["kind"] for row in hr.get("/punch_anomalies").json()]
        breaks = hr.get("/punch_anomalies", params={"kind": "eq.rep_p_chain_break"}).json()
    assert "bad_crc" not in kinds
    assert [row["detail"].split(": ")[0] for row in breaks] == ["AFD00000000000000099.txt:4"]


def test_scheduled_days_without_punches_are_absences(hr_api: httpx.Client) -> None:
    absences = hr_api.get(
        "/timesheet_daily",
        params={"employee_id": "eq.R1", "is_absent": "is.true", "select": "work_date,deficit_minutes"},
    ).json()
    # days somebody punched: 2014-12-25 (a holiday), two Saturdays of 2018 (R3), 4-8 March 2024
    assert sorted((row["work_date"], row["deficit_minutes"]) for row in absences) == [
        ("2018-02-17", 240),
        ("2018-11-03", 240),
        ("2024-03-05", 480),
        ("2024-03-07", 480),  # her only Thursday punch closed Wednesday's jornada
    ]


def test_hr_justifies_an_absence_and_confirms_a_jornada_with_a_reason(
    hr_api: httpx.Client, platform: Platform
) -> None:
    refused = hr_api.post(
        "/rpc/justify_absence",
        json={
            "employee_id": "R1",
            "work_date": "2024-03-05",
            "category": "medical_certificate",
            "reason": " ",
        },
    )
    assert refused.status_code == 400
    unknown = hr_api.post(
        "/rpc/justify_absence",
        json={"employee_id": "R1", "work_date": "2024-03-05", "category": "beach", "reason": "sol"},
    )
    assert unknown.status_code == 400 and "medical_certificate" in unknown.json()["message"]
    wednesday = _day(hr_api, "R1", "2024-03-06")
    try:
        justified = hr_api.post(
            "/rpc/justify_absence",
            json={
                "employee_id": "R1",
                "work_date": "2024-03-05",
                "category": "medical_certificate",
                "reason": "atestado de 1 dia",
            },
        )
        assert justified.status_code == 200, justified.text
        assert justified.json()["status"] == "justified"
        confirmed = hr_api.post(
            "/rpc/confirm_jornada",
            json={"punch_id": wednesday["first_punch_id"], "reason": "ficou de plantão, autorizado"},
        )
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["employee_id"] == "R1"
    finally:
        with platform.admin.connect() as conn:
            conn.execute("delete from raw.absence_justifications where employee_id = 'R1'")
            conn.execute("delete from raw.punch_adjustments where action = 'confirm'")
            conn.commit()
