"""The Pydantic contracts and what PostgREST really serves cannot drift apart."""

import pytest

from api_contracts import BiDashClient, Customer
from api_contracts.models import RESOURCES, json_schemas, pg_types
from tests.conftest import ApiAs, Platform, token_for

pytestmark = pytest.mark.api


def _openapi(api_as: ApiAs) -> dict:
    """What PostgREST serves, as the union of what the roles may see (openapi-mode follow-privileges)."""
    documents = [
        api_as(role, "E1" if role in ("manager", "employee") else None).get("/").json()
        for role in ("analyst", "hr", "manager", "employee")
    ]
    paths = {path for document in documents for path in document["paths"]}
    definitions = {name: spec for document in documents for name, spec in document["definitions"].items()}
    return {"paths": paths, "definitions": definitions}


def test_every_api_resource_has_a_contract_and_every_contract_a_resource(api_as: ApiAs) -> None:
    served = {
        path.strip("/") for path in _openapi(api_as)["paths"] if path != "/" and not path.startswith("/rpc/")
    }
    assert served == set(RESOURCES)


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_contract_columns_and_types_match_the_openapi_document(api_as: ApiAs, resource: str) -> None:
    definition = _openapi(api_as)["definitions"][resource]
    served = {name: spec["format"] for name, spec in definition["properties"].items()}
    model, _key = RESOURCES[resource]
    assert served == pg_types(model)


def test_typed_client_returns_models_and_filters(platform: Platform) -> None:
    with BiDashClient(platform.api_url, token=token_for(platform.settings, "analyst")) as client:
        customer = client.customers.get("u1")
        missing = client.customers.get("nobody")
        by_state = client.customers.list(filters={"state": "MG"})
        with pytest.raises(TypeError, match="unknown query argument.*limt"):
            client.customers.list(limt=1)  # type: ignore[call-arg]  # a misspelling is not ignored
    with BiDashClient(platform.api_url, token=token_for(platform.settings, "hr")) as client:
        top = client.employees.list(order="employee_id", descending=True, limit=1)
    assert isinstance(customer, Customer) and customer.orders_count == 2 and customer.state == "RJ"
    assert missing is None
    assert [c.customer_unique_id for c in by_state] == ["u2"]
    assert [e.employee_id for e in top] == ["R3"]


def test_json_schemas_export_every_resource() -> None:
    schemas = json_schemas()
    assert set(schemas) == set(RESOURCES)
    assert "customer_unique_id" in schemas["customers"]["required"]


def test_typed_client_reads_what_each_role_may_and_pages_past_the_servers_cap(platform: Platform) -> None:
    from api_contracts import ApiError

    with BiDashClient(platform.api_url, token=token_for(platform.settings, "hr")) as hr:
        everyone = {e.employee_id: e for e in hr.employees.list()}
        daily = hr.timesheet_daily.list()
    assert any(e.cpf for e in everyone.values())
    # an analyst, a manager and an employee read employees without the identifiers (no 403)
    for role, employee_id in (("analyst", None), ("manager", "M1"), ("employee", "E1")):
        with BiDashClient(platform.api_url, token=token_for(platform.settings, role, employee_id)) as client:
            rows = client.employees.list()
        assert rows and all(e.cpf is None and e.pis is None for e in rows), role
        assert {e.employee_id for e in rows} <= set(everyone)
    # pages of 2 rows (as if db-max-rows were 2): every row still comes back, each once, in key order
    with BiDashClient(platform.api_url, token=token_for(platform.settings, "hr"), page_size=2) as small:
        paged = small.timesheet_daily.list()
        first_three = small.timesheet_daily.list(limit=3)
        e1 = next(day for day in daily if day.employee_id == "E1")
        one_day = small.timesheet_daily.get("E1", e1.work_date, e1.jornada_of_day)
        with pytest.raises(TypeError, match="takes its key: employee_id, work_date, jornada_of_day"):
            small.timesheet_daily.get("E1")
    assert len(daily) > 2 and [(d.employee_id, d.work_date, d.jornada_of_day) for d in paged] == [
        (d.employee_id, d.work_date, d.jornada_of_day) for d in daily
    ]
    assert len(first_three) == 3 and one_day == e1
    # one exception type, with the HTTP status
    with BiDashClient(platform.api_url, token=token_for(platform.settings, "employee", "E1")) as employee:
        with pytest.raises(ApiError) as refused:
            employee.customers.list()
    assert refused.value.status == 403
    with BiDashClient("http://127.0.0.1:9", token=None) as nowhere:
        with pytest.raises(ApiError) as unreachable:
            nowhere.daily_sales.list()
    assert unreachable.value.status == 0
