"""The declared requests of the api resources (api_contracts/queries.py): the README's table is their
rendering, each one is valid SQL shape, and the customers page sorts only by the declared columns."""

import re
from pathlib import Path

from api_contracts import access, queries
from api_contracts.vocabulary import CUSTOMER_SORTS

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_lists_the_declared_requests() -> None:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("### Requests an index serves", 1)[1]
    table = [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("| `")]
    assert table == queries.readme_rows()


def test_every_resource_declares_its_requests() -> None:
    assert {request.resource for request in queries.REQUESTS} == set(access.RESOURCES)


def test_every_request_names_a_resource_and_fills_its_placeholders() -> None:
    for request in queries.REQUESTS:
        assert request.resource in access.RESOURCES, request
        for sql in request.statements():
            assert "{" not in sql and "}" not in sql, sql
            assert sql.startswith(f"select * from api.{request.resource}"), sql


def test_readers_carry_the_employee_their_rows_belong_to() -> None:
    assert queries.readers("timesheet_daily", "E7", "M3") == [
        ("hr", {"role": "hr"}),
        ("manager", {"role": "manager", "employee_id": "M3"}),
        ("employee", {"role": "employee", "employee_id": "E7"}),
    ]
    assert queries.readers("customers", "E7", "M3") == [("analyst", {"role": "analyst"})]


def test_the_customers_page_sorts_by_the_declared_columns_both_keys_the_same_way() -> None:
    page = (ROOT / "frontends" / "customer_360" / "src" / "customers.tsx").read_text(encoding="utf-8")
    assert "CUSTOMER_SORTS" in page and "nullsFirst" not in page
    assert re.search(r'\.order\("customer_unique_id", \{ ascending: !filters\.desc \}\)', page)
    (customers_page,) = [r for r in queries.REQUESTS if r.resource == "customers" and r.limit]
    assert {order.split()[0] for order in customers_page.orders} == set(CUSTOMER_SORTS)


def test_the_page_sizes_are_the_apps_own() -> None:
    customers = (ROOT / "frontends" / "customer_360" / "src" / "customers.tsx").read_text(encoding="utf-8")
    anomalies = (ROOT / "frontends" / "controle_ponto" / "src" / "anomalies.tsx").read_text(encoding="utf-8")
    assert f"export const PAGE_SIZE = {queries.CUSTOMERS_PAGE};" in customers
    assert f"const LIMIT = {queries.ANOMALIES_PAGE};" in anomalies
