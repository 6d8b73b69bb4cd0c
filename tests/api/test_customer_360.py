"""customer_360 metrics through PostgREST, on the hand-written folder tests/data/olist_small.

Expected values are worked out by hand from the CSV files (see the comments), never by the code.
u1 ordered o1 (delivered, SP, 2018-01-10 10:00 local = 12:00 UTC in summer time) and o2 (canceled,
RJ, 2018-03-05 22:15 local = 01:15 UTC next day); u2 ordered o3 (delivered 2 days late, MG);
u3 ordered o4 (unavailable, PR). as_of = latest purchase date = 2018-03-05.
"""

import httpx
import pytest

from api_contracts import BiDashClient
from tests.conftest import Platform, token_for

pytestmark = pytest.mark.api


def _rows(api: httpx.Client, resource: str, **params: str) -> list[dict]:
    response = api.get(f"/{resource}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_every_customer_column_for_a_repeat_buyer_with_a_canceled_order(api: httpx.Client) -> None:
    [u1] = _rows(api, "customers", customer_unique_id="eq.u1")
    assert u1 == {
        "customer_unique_id": "u1",
        "zip_code_prefix": "20040",
        "city": "rio de janeiro",
        "state": "RJ",  # from the latest order (o2)
        "orders_count": 2,
        "valid_orders_count": 1,
        "canceled_orders_count": 1,
        "total_spent": 165.75,  # o1 payments 150.75 + 15.00; o2 (canceled) excluded
        "avg_order_value": 165.75,
        "items_count": 2,
        "items_value": 150.50,
        "freight_value": 15.25,
        "first_order_at": "2018-01-10T12:00:00+00:00",
        "last_order_at": "2018-03-06T01:15:00+00:00",
        "avg_review_score": 5.00,
        "late_deliveries_count": 0,
        "favorite_category": "bed_bath_table",  # 1 item each with pc_gamer (untranslated): alphabetical
        "preferred_payment_type": "credit_card",
        "recency_days": 54,  # 2018-03-05 - 2018-01-10
        "frequency": 1,
        "monetary": 165.75,
        "r_score": 1,
        "f_score": 1,
        "m_score": 2,  # two scored customers: ntile(5) gives tiles 1 and 2
        "segment": "lost",
    }


def test_late_delivery_and_inactive_customer(api: httpx.Client) -> None:
    u2, u3 = _rows(api, "customers", customer_unique_id="in.(u2,u3)", order="customer_unique_id")
    assert (u2["late_deliveries_count"], u2["avg_review_score"], u2["total_spent"]) == (1, 2.00, 120.00)
    assert (u2["favorite_category"], u2["preferred_payment_type"]) == ("bed_bath_table", "boleto")
    assert (u2["recency_days"], u2["r_score"], u2["f_score"], u2["m_score"], u2["segment"]) == (
        32,
        2,
        1,
        1,
        "regular",
    )
    assert u2["first_order_at"] == "2018-02-01T11:00:00+00:00"
    assert u3 == {
        "customer_unique_id": "u3",
        "zip_code_prefix": "80010",
        "city": "curitiba",
        "state": "PR",
        "orders_count": 1,
        "valid_orders_count": 0,
        "canceled_orders_count": 1,
        "total_spent": 0.00,
        "avg_order_value": None,
        "items_count": 0,
        "items_value": 0.00,
        "freight_value": 0.00,
        "first_order_at": "2018-02-10T14:00:00+00:00",
        "last_order_at": "2018-02-10T14:00:00+00:00",
        "avg_review_score": None,
        "late_deliveries_count": 0,
        "favorite_category": None,
        "preferred_payment_type": None,
        "recency_days": None,
        "frequency": 0,
        "monetary": 0.00,
        "r_score": None,
        "f_score": None,
        "m_score": None,
        "segment": "inactive",
    }


def test_customer_orders_of_one_customer(api: httpx.Client) -> None:
    o1, o2 = _rows(api, "customer_orders", customer_unique_id="eq.u1", order="purchased_at")
    assert o1 == {
        "order_id": "o1",
        "customer_unique_id": "u1",
        "status": "delivered",
        "purchased_at": "2018-01-10T12:00:00+00:00",
        "approved_at": "2018-01-10T12:30:00+00:00",
        "delivered_at": "2018-01-15T16:00:00+00:00",
        "estimated_delivery_at": "2018-01-20T02:00:00+00:00",
        "is_late": False,
        "delivery_days": 5,
        "items_count": 2,
        "items_value": 150.50,
        "freight_value": 15.25,
        "payment_value": 165.75,
        "payment_types": ["credit_card", "voucher"],
        "max_installments": 3,
        "review_score": 5.00,
    }
    assert (
        o2["status"],
        o2["items_count"],
        o2["payment_value"],
        o2["payment_types"],
        o2["review_score"],
        o2["delivery_days"],
    ) == ("canceled", 0, 80.00, ["boleto"], None, None)


def test_daily_sales_over_a_date_range(api: httpx.Client) -> None:
    rows = _rows(api, "daily_sales", date="gte.2018-01-01", order="date")
    assert rows == [
        {
            "date": "2018-01-10",
            "orders": 1,
            "valid_orders": 1,
            "revenue": 165.75,
            "customers": 1,
            "new_customers": 1,
            "avg_ticket": 165.75,
        },
        {
            "date": "2018-02-01",
            "orders": 1,
            "valid_orders": 1,
            "revenue": 120.00,
            "customers": 1,
            "new_customers": 1,
            "avg_ticket": 120.00,
        },
        {
            "date": "2018-02-10",
            "orders": 1,
            "valid_orders": 0,
            "revenue": 0.00,
            "customers": 1,
            "new_customers": 1,
            "avg_ticket": None,
        },
        {
            "date": "2018-03-05",
            "orders": 1,
            "valid_orders": 0,
            "revenue": 0.00,
            "customers": 1,
            "new_customers": 0,
            "avg_ticket": None,
        },
    ]
    response = api.get(
        "/daily_sales",
        params=[("select", "date"), ("date", "gte.2018-02-01"), ("date", "lt.2018-03-01"), ("order", "date")],
    )
    assert response.json() == [{"date": "2018-02-01"}, {"date": "2018-02-10"}]


def test_segments_and_states(api: httpx.Client) -> None:
    segments = {row["segment"]: row for row in _rows(api, "customer_segments")}
    assert segments == {
        "lost": {"segment": "lost", "customers": 1, "revenue": 165.75, "share_of_revenue": 0.5801},
        "regular": {"segment": "regular", "customers": 1, "revenue": 120.00, "share_of_revenue": 0.4199},
        "inactive": {"segment": "inactive", "customers": 1, "revenue": 0.00, "share_of_revenue": 0.0000},
    }
    states = {row["state"]: row for row in _rows(api, "sales_by_state")}
    assert states["SP"] == {
        "state": "SP",
        "customers": 1,
        "orders": 1,
        "revenue": 165.75,
        "avg_review_score": 5.00,
        "late_delivery_rate": 0.0000,
    }
    assert states["MG"]["late_delivery_rate"] == 1.0000
    assert states["RJ"]["late_delivery_rate"] is None  # nothing delivered there


def test_dashboard_pages_customers_filtered_and_sorted(platform: Platform) -> None:
    with BiDashClient(platform.api_url, token=token_for(platform.settings, "analyst")) as client:
        page = client.customers.list(order="total_spent", descending=True, limit=2)
        assert [c.customer_unique_id for c in page] == ["u1", "u2"]
        second = client.customers.list(order="total_spent", descending=True, limit=2, offset=2)
        assert [c.customer_unique_id for c in second] == ["u3"]
        inactive = client.customers.list(filters={"segment": "inactive"})
        assert [c.customer_unique_id for c in inactive] == ["u3"]
        orders = client.customer_orders.list(filters={"customer_unique_id": "u1"}, order="purchased_at")
        assert [o.order_id for o in orders] == ["o1", "o2"]
