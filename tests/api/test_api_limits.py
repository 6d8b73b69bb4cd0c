"""The API is bounded: what would make PostgREST do unbounded work is refused at the proxy in front of
it, quickly and in JSON, and analysts' slow queries never starve anonymous requests of connections
(orchestration/runtime/api_proxy.py)."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator

import httpx
import pytest

from orchestration.runtime.services import POOLS
from tests.conftest import ApiAs, Platform, token_for

pytestmark = pytest.mark.api


def test_a_huge_body_is_refused_before_it_is_read(platform: Platform) -> None:
    started = time.monotonic()

    def body() -> Iterator[bytes]:  # announces 300 MB, would send them in 1 MB chunks
        for _ in range(300):
            yield b"x" * 1_048_576

    response = httpx.post(
        f"{platform.api_url}/rpc/register_punch",
        content=body(),
        headers={"Content-Length": str(300 * 1_048_576), "Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 413 and response.json()["code"] == "BD413"
    assert time.monotonic() - started < 10
    chunked = httpx.post(f"{platform.api_url}/rpc/register_punch", content=iter([b"{}"]), timeout=60)
    assert chunked.status_code == 411


def test_deep_or_long_selects_and_long_query_strings_are_refused(api: httpx.Client) -> None:
    deep = "customer_unique_id,a(b(c(d(e(f)))))"
    started = time.monotonic()
    assert api.get("/customers", params={"select": deep}).status_code == 400
    assert api.get("/customers", params={"select": "customer_unique_id," * 120}).status_code == 400
    assert api.get("/customers", params={"city": "eq." + "x" * 5000}).status_code == 414
    assert time.monotonic() - started < 5
    # what a dashboard asks stays allowed
    assert api.get("/customers", params={"select": "customer_unique_id,city", "limit": 1}).status_code == 200


def test_invalid_utf8_in_the_query_string_is_a_400_not_a_500(platform: Platform) -> None:
    for query in ("state=eq.%ff", "state=eq.%C3", "city=eq.S%E3o"):
        response = httpx.get(f"{platform.api_url}/daily_sales?{query}", timeout=60)
        assert response.status_code == 400, (query, response.status_code)
        assert response.json()["code"] == "BD400"
    fine = httpx.get(f"{platform.api_url}/sales_by_state?state=eq.S%C3%A3o", timeout=60)
    assert fine.status_code == 200  # well-formed UTF-8 (São) passes


def test_control_characters_in_the_query_string_are_a_400_not_a_502(platform: Platform) -> None:
    """Found by the fuzzer: PostgREST answered such a request with a response HAProxy rejects (502)."""
    hr = {"Authorization": f"Bearer {token_for(platform.settings, 'hr')}"}
    query = "work_date=0684-04-01&employee_id=3%7B%13%0B7%04%40X" + "&category=mc%24%3C%0E%06%01%0A&reason=yG"
    response = httpx.get(f"{platform.api_url}/rpc/justify_absence?{query}", headers=hr, timeout=60)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "BD400"
    tab = httpx.get(f"{platform.api_url}/employees?name=eq.a%09b", headers=hr, timeout=60)
    assert tab.status_code == 400


def test_a_non_ascii_range_header_is_a_400(platform: Platform) -> None:
    response = httpx.get(
        f"{platform.api_url}/daily_sales", headers={"Range": "0-1\xe9".encode("latin-1")}, timeout=10
    )
    assert response.status_code == 400


def test_slow_analyst_queries_do_not_starve_anonymous_requests(api_as: ApiAs, platform: Platform) -> None:
    """More slow analytical requests than the analysts' pool holds: anonymous ones are still served at
    once (before the proxy, everyone shared 10 connections: anonymous users waited or got 504)."""
    with platform.admin.connect(autocommit=True) as conn:  # every customer row now costs analysts 1 s
        conn.execute(
            "create policy slow_for_the_test on marts.dim_customers as restrictive for select to analyst"
            " using (pg_sleep(1) is not null)"
        )
    analyst = {"Authorization": f"Bearer {token_for(platform.settings, 'analyst')}"}
    try:
        busy = POOLS["analytics"] + 2  # every analyst connection taken, and two more waiting
        with concurrent.futures.ThreadPoolExecutor(max_workers=busy) as pool:
            slow = [
                pool.submit(
                    httpx.get,
                    f"{platform.api_url}/customers",
                    params={"select": "customer_unique_id"},
                    headers=analyst,
                    timeout=120,
                )
                for _ in range(busy)
            ]
            time.sleep(0.5)  # let them take the analysts' connections (not a synchronisation)
            anon = api_as(None)
            latencies = []
            for _ in range(5):
                started = time.monotonic()
                assert anon.get("/daily_sales", params={"limit": 1}).status_code == 200
                latencies.append(time.monotonic() - started)
            statuses = [future.result().status_code for future in slow]
    finally:
        with platform.admin.connect(autocommit=True) as conn:
            conn.execute("drop policy if exists slow_for_the_test on marts.dim_customers")
    assert max(latencies) < 2.0, latencies
    assert set(statuses) <= {200, 504}  # the analysts wait their turn (or hit their own limits)
