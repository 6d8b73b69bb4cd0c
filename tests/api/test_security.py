"""OWASP API Security Top 10 as the checklist, against the real PostgREST and PostgreSQL."""

import datetime as dt
from collections.abc import Iterator

import httpx
import jwt
import pytest

from orchestration.tokens import mint_token
from tests.conftest import ApiAs, Platform, token_for

pytestmark = pytest.mark.api


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _employees_in(response: httpx.Response) -> set[str]:
    assert response.status_code == 200, response.text
    return {row["employee_id"] for row in response.json()}


# --- API1 broken object level authorization ---------------------------------------------------------
def test_employee_token_sees_only_own_timesheet(api_as: ApiAs) -> None:
    employee = api_as("employee", "E1")
    assert _employees_in(employee.get("/timesheet_daily")) == {"E1"}
    assert employee.get("/timesheet_daily", params={"employee_id": "eq.E2"}).json() == []
    assert _employees_in(employee.get("/punches")) == {"E1"}
    assert _employees_in(employee.get("/timesheet_monthly")) == {"E1"}
    assert _employees_in(employee.get("/employees", params={"select": "employee_id,name"})) == {"E1"}


def test_manager_sees_own_team_only(api_as: ApiAs, hr_api: httpx.Client) -> None:
    manager = api_as("manager", "M1")
    assert _employees_in(manager.get("/timesheet_daily")) == {"M1", "E1", "E2"}
    assert "AFD-55566677788" in _employees_in(hr_api.get("/timesheet_daily"))  # nobody's team
    other_manager = api_as("manager", "E2")  # manages nobody
    assert _employees_in(other_manager.get("/timesheet_daily")) == {"E2"}


def test_register_punch_for_someone_else_is_refused(api_as: ApiAs, platform: Platform) -> None:
    employee = api_as("employee", "E1")
    refused = employee.post("/rpc/register_punch", json={"employee_id": "E2"})
    assert refused.status_code == 403
    assert refused.json()["message"] == "register_punch records punches for the caller only"
    with platform.admin.connect() as conn:
        before = conn.execute("select count(*) from raw.punch_adjustments").fetchone()
    accepted = employee.post("/rpc/register_punch", json={})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["employee_id"] == "E1" and accepted.json()["source"] == "web"
    with platform.admin.connect() as conn:
        row = conn.execute(
            "select employee_id, action, created_by from raw.punch_adjustments "
            "order by adjustment_id desc limit 1"
        ).fetchone()
        after = conn.execute("select count(*) from raw.punch_adjustments").fetchone()
        conn.execute("delete from raw.punch_adjustments where created_by = 'web:E1'")
        conn.commit()
    assert row == ("E1", "register", "web:E1")
    assert after[0] == before[0] + 1


def test_hr_corrections_need_a_reason_and_keep_the_original(hr_api: httpx.Client, platform: Platform) -> None:
    missing = hr_api.post(
        "/rpc/include_punch", json={"employee_id": "E1", "punched_at": "2024-03-07T20:00:00Z", "reason": "  "}
    )
    assert missing.status_code == 400 and missing.json()["message"] == "a reason is mandatory"
    unknown = hr_api.post("/rpc/disregard_punch", json={"punch_id": 999999999, "reason": "test"})
    assert unknown.status_code == 404
    punch_id = hr_api.get(
        "/punches", params={"employee_id": "eq.E1", "limit": 1, "order": "punched_at"}
    ).json()[0]["punch_id"]
    done = hr_api.post(
        "/rpc/disregard_punch", json={"punch_id": punch_id, "reason": "pressed by a colleague"}
    )
    try:
        assert done.status_code == 200, done.text
        assert done.json() == {
            "punch_id": punch_id,
            "employee_id": "E1",
            "status": "disregarded",
            "reason": "pressed by a colleague",
        }
        with platform.admin.connect() as conn:
            assert conn.execute(
                "select count(*) from raw.afd_punches where punch_id = %s", (punch_id,)
            ).fetchone() == (1,)
    finally:
        with platform.admin.connect() as conn:
            conn.execute(
                "delete from raw.punch_adjustments where punch_id = %s and action = 'disregard'", (punch_id,)
            )
            conn.commit()


# --- API2 broken authentication -----------------------------------------------------------------------
def _claims(role: str = "hr", **overrides: object) -> dict[str, object]:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    claims: dict[str, object] = {"role": role, "aud": "bi-dash", "iat": now, "exp": now + 600}
    claims.update(overrides)
    return {key: value for key, value in claims.items() if value is not None}


@pytest.mark.parametrize(
    "case",
    [
        "no_token_on_personal_data",
        "expired",
        "wrong_signature",
        "alg_none",
        "wrong_audience",
        "no_expiry",
        "expiry_too_far",
    ],
)
def test_bad_or_missing_tokens_get_401(platform: Platform, case: str) -> None:
    secret = platform.settings.secrets["jwt"]
    tokens = {
        "expired": jwt.encode(_claims(exp=int(dt.datetime.now(dt.UTC).timestamp()) - 60), secret, "HS256"),
        "wrong_signature": jwt.encode(_claims(), "x" * 48, "HS256"),
        "alg_none": jwt.encode(_claims(), None, "none"),
        "wrong_audience": jwt.encode(_claims(aud="someone-else"), secret, "HS256"),
        "no_expiry": jwt.encode(_claims(exp=None), secret, "HS256"),
        "expiry_too_far": jwt.encode(_claims(exp=10**30), secret, "HS256"),  # valid "forever"
    }
    headers = _bearer(tokens[case]) if case in tokens else {}
    response = httpx.get(f"{platform.api_url}/timesheet_daily", headers=headers, timeout=60)
    assert response.status_code == 401, (case, response.text)


def test_a_token_within_the_maximum_lifetime_is_accepted(platform: Platform) -> None:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    week = jwt.encode(_claims(exp=now + 7 * 24 * 3600 - 60), platform.settings.secrets["jwt"], "HS256")
    assert (
        httpx.get(f"{platform.api_url}/timesheet_daily", headers=_bearer(week), timeout=60).status_code == 200
    )
    longer = jwt.encode(_claims(exp=now + 7 * 24 * 3600 + 3600), platform.settings.secrets["jwt"], "HS256")
    refused = httpx.get(f"{platform.api_url}/timesheet_daily", headers=_bearer(longer), timeout=60)
    assert refused.status_code == 401 and "lives too long" in refused.json()["message"]


def test_manager_token_without_employee_id_is_refused(platform: Platform) -> None:
    token = jwt.encode(_claims(role="manager"), platform.settings.secrets["jwt"], "HS256")
    response = httpx.get(f"{platform.api_url}/timesheet_daily", headers=_bearer(token), timeout=60)
    assert response.status_code == 401
    assert "employee_id" in response.json()["message"]


def test_anon_sees_only_non_personal_aggregates(api_as: ApiAs) -> None:
    anon = api_as(None)
    assert anon.get("/daily_sales").status_code == 200
    assert anon.get("/customer_segments").status_code == 200
    for personal in ("customers", "customer_orders", "employees", "punches", "timesheet_daily"):
        assert anon.get(f"/{personal}").status_code == 401, personal
    paths = set(anon.get("/").json()["paths"])
    assert "/customers" not in paths and "/daily_sales" in paths


# --- API3 broken object property level authorization ---------------------------------------------------
def test_identifiers_are_refused_to_everyone_but_hr(api_as: ApiAs, hr_api: httpx.Client) -> None:
    for role, employee_id in (("analyst", None), ("manager", "M1"), ("employee", "E1")):
        response = api_as(role, employee_id).get("/employees", params={"select": "employee_id,cpf"})
        assert response.status_code == 403, role
        assert "permission denied" in response.json()["message"]
    rows = hr_api.get("/employees", params={"select": "employee_id,cpf,pis", "employee_id": "eq.E1"}).json()
    assert rows == [{"employee_id": "E1", "cpf": "11144477735", "pis": "10987654321"}]


# --- API5 broken function level authorization -----------------------------------------------------------
@pytest.mark.parametrize(
    ("function", "arguments"),
    [
        ("register_punch", {}),
        ("include_punch", {"employee_id": "E1", "punched_at": "2024-03-07T20:00:00Z", "reason": "x"}),
        ("disregard_punch", {"punch_id": 1, "reason": "x"}),
    ],
)
def test_anon_cannot_call_any_rpc(api_as: ApiAs, function: str, arguments: dict) -> None:
    response = api_as(None).post(f"/rpc/{function}", json=arguments)
    assert response.status_code == 401
    assert "permission denied for function" in response.json()["message"]


def test_employee_cannot_correct_punches(api_as: ApiAs) -> None:
    response = api_as("employee", "E1").post("/rpc/disregard_punch", json={"punch_id": 1, "reason": "mine"})
    assert response.status_code == 403


# --- API4 unrestricted resource consumption -------------------------------------------------------------
@pytest.fixture
def many_sales_days(platform: Platform) -> Iterator[int]:
    """300,000 extra rows in the anon-readable daily sales (removed afterwards)."""
    with platform.admin.connect() as conn:
        conn.execute(
            "insert into marts.fct_daily_sales (sales_date, orders, valid_orders, revenue, customers, "
            "new_customers, avg_ticket) "
            "select date '1000-01-01' + i, 1, 1, i, 1, 0, i from generate_series(1, 300000) as i"
        )
        conn.commit()
    try:
        yield 300000
    finally:
        with platform.admin.connect() as conn:
            conn.execute("delete from marts.fct_daily_sales where sales_date < date '1900-01-01'")
            conn.commit()


def test_db_max_rows_caps_responses(api_as: ApiAs, many_sales_days: int, platform: Platform) -> None:
    response = api_as(None).get("/daily_sales", params={"select": "date"})
    assert response.status_code == 200
    assert len(response.json()) == platform.settings.db_max_rows


def test_heavy_query_is_cut_by_statement_timeout_with_a_clear_error(
    api_as: ApiAs, many_sales_days: int, platform: Platform
) -> None:
    from orchestration.runtime.processes import wait_until

    with platform.admin.connect(autocommit=True) as conn:
        conn.execute("alter role anon set statement_timeout = '30ms'")
        conn.execute("notify pgrst, 'reload config'")
    try:
        anon = api_as(None)
        heavy = {"select": "date,revenue", "order": "avg_ticket.desc,revenue.asc", "revenue": "gt.-1"}

        def cancelled() -> bool:
            response = anon.get("/daily_sales", params=heavy, headers={"Prefer": "count=exact"})
            return response.status_code == 504 and response.json().get("code") == "57014"

        assert wait_until(cancelled, timeout=60, interval=0.5)
        response = anon.get("/daily_sales", params=heavy, headers={"Prefer": "count=exact"})
        # a timeout is the server's limit, not an error of the server: 504 with a JSON body saying so
        assert response.status_code == 504
        assert response.headers["content-type"].startswith("application/json")
        assert "statement timeout" in response.json()["message"] and response.json()["hint"]
    finally:
        with platform.admin.connect(autocommit=True) as conn:
            conn.execute("alter role anon set statement_timeout = '3s'")
            conn.execute("notify pgrst, 'reload config'")


def test_every_request_role_has_a_statement_timeout(platform: Platform) -> None:
    with platform.admin.connect() as conn:
        rows = dict(
            conn.execute(
                "select r.rolname, s.setconfig "
                "from pg_db_role_setting s join pg_roles r on r.oid = s.setrole "
                "where r.rolname in ('anon', 'analyst', 'hr', 'manager', 'employee')"
            ).fetchall()
        )
    assert set(rows) == {"anon", "analyst", "hr", "manager", "employee"}
    assert all(any(item.startswith("statement_timeout=") for item in config) for config in rows.values())


def test_tokens_minted_by_the_cli_helper_carry_expiry_and_audience(platform: Platform) -> None:
    token = token_for(platform.settings, "employee", "E1", ttl="15m")
    claims = jwt.decode(token, platform.settings.secrets["jwt"], algorithms=["HS256"], audience="bi-dash")
    assert claims["role"] == "employee" and claims["employee_id"] == "E1"
    assert 14 * 60 <= claims["exp"] - claims["iat"] <= 15 * 60
    with pytest.raises(Exception, match="needs --employee-id"):
        mint_token("s" * 48, "employee", "bi-dash", dt.timedelta(minutes=1))
