"""The customer_360 expectations: raw inputs before the dbt build, api resources of the shadow build
after it (orchestration/defs/platform/checks.py runs them as Dagster asset checks through GX).
The vocabulary of each check is orchestration/quality/suites.py's."""

from __future__ import annotations

from api_contracts.vocabulary import ORDER_STATUSES, SEGMENTS
from orchestration.quality.suites import (
    BRAZILIAN_STATES,
    ERROR,
    WARN,
    Expectation,
    between,
    expectations_of,
    in_set,
    not_null,
    unexpected_rows,
    unique,
)

check = expectations_of("customer_360")

EXPECTATIONS: tuple[Expectation, ...] = (
    check(
        asset="raw/olist_orders",
        name="customer_exists",
        severity=ERROR,
        description="Every order's customer_id is a loaded customer.",
        build=unexpected_rows(
            "select checked.order_id, checked.customer_id from {batch} as checked"
            " left join raw.olist_customers as customers on customers.customer_id = checked.customer_id"
            " where customers.customer_id is null",
            "orders whose customer_id is not in raw.olist_customers",
        ),
    ),
    check(
        asset="raw/olist_orders",
        name="status_allowed",
        severity=ERROR,
        description="order_status is one of Olist's statuses.",
        build=in_set("order_status", ORDER_STATUSES),
    ),
    check(
        asset="raw/olist_order_items",
        name="order_exists",
        severity=ERROR,
        description="Every item belongs to a loaded order.",
        build=unexpected_rows(
            "select checked.order_id, checked.order_item_id from {batch} as checked"
            " left join raw.olist_orders as orders on orders.order_id = checked.order_id"
            " where orders.order_id is null",
            "items whose order_id is not in raw.olist_orders",
        ),
    ),
    check(
        asset="raw/olist_order_items",
        name="price_not_negative",
        severity=ERROR,
        description="price and freight are >= 0.",
        build=unexpected_rows(
            "select order_id, order_item_id from {batch} where price < 0 or freight_value < 0",
            "items with a negative price or freight",
        ),
    ),
    check(
        asset="raw/olist_order_payments",
        name="payment_not_negative",
        severity=ERROR,
        description="payment_value >= 0.",
        build=between("payment_value", 0, None),
    ),
    check(
        asset="raw/olist_order_reviews",
        name="review_score_between_1_and_5",
        severity=ERROR,
        description="review_score is 1 to 5.",
        build=between("review_score", 1, 5),
    ),
    check(
        asset="raw/olist_customers",
        name="customer_unique_id_not_null",
        severity=ERROR,
        description="Every customer names the person.",
        build=not_null("customer_unique_id"),
    ),
    check(
        asset="raw/olist_customers",
        name="state_is_brazilian",
        severity=WARN,
        description="customer_state is a Brazilian UF.",
        build=in_set("customer_state", BRAZILIAN_STATES),
    ),
    check(
        asset="api/customers",
        name="customer_unique_id_unique",
        severity=ERROR,
        description="One row per person.",
        build=unique("customer_unique_id"),
    ),
    check(
        asset="api/customers",
        name="avg_review_score_between_1_and_5",
        severity=ERROR,
        description="Review means stay within 1-5.",
        build=between("avg_review_score", 1, 5),
    ),
    check(
        asset="api/customers",
        name="total_spent_not_negative",
        severity=ERROR,
        description="total_spent >= 0.",
        build=between("total_spent", 0, None),
    ),
    check(
        asset="api/customer_orders",
        name="order_id_unique",
        severity=ERROR,
        description="One row per order.",
        build=unique("order_id"),
    ),
    check(
        asset="api/customer_orders",
        name="customer_exists",
        severity=ERROR,
        description="Every order's customer is in /customers.",
        build=unexpected_rows(
            "select checked.order_id from {batch} as checked left join {api}.customers as customers"
            " on customers.customer_unique_id = checked.customer_unique_id"
            " where customers.customer_unique_id is null",
            "orders whose customer_unique_id is not served by /customers",
        ),
    ),
    check(
        asset="api/customer_orders",
        name="review_score_between_1_and_5",
        severity=ERROR,
        description="review_score is 1 to 5.",
        build=between("review_score", 1, 5),
    ),
    check(
        asset="api/daily_sales",
        name="date_unique",
        severity=ERROR,
        description="One row per date.",
        build=unique("date"),
    ),
    check(
        asset="api/daily_sales",
        name="revenue_not_negative",
        severity=ERROR,
        description="revenue >= 0.",
        build=between("revenue", 0, None),
    ),
    check(
        asset="api/customer_segments",
        name="segment_allowed",
        severity=ERROR,
        description="The RFM segments of the contract.",
        build=in_set("segment", SEGMENTS),
    ),
    check(
        asset="api/sales_by_state",
        name="state_is_brazilian",
        severity=WARN,
        description="Sales are attributed to Brazilian UFs.",
        build=in_set("state", BRAZILIAN_STATES),
    ),
)
