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
