"""The customer_360 expectations on the raw inputs, checked before the dbt build (what they are, and
why the api resources' checks are dbt tests instead: orchestration/quality/suites.py)."""

from __future__ import annotations

from api_contracts.vocabulary import BRAZILIAN_STATES, ORDER_STATUSES
from orchestration.quality.suites import (
    ERROR,
    WARN,
    Expectation,
    between,
    expectations_of,
    found_in,
    in_set,
    not_null,
    unexpected_rows,
)

check = expectations_of("customer_360")

EXPECTATIONS: tuple[Expectation, ...] = (
    check(
        asset="raw/olist_orders",
        name="customer_exists",
        severity=ERROR,
        description="Every order's customer_id is a loaded customer.",
        build=found_in(
            "customer_id",
            "raw.olist_customers",
            "customer_id",
            shown="order_id",
            description="orders whose customer_id is not in raw.olist_customers",
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
        build=found_in(
            "order_id",
            "raw.olist_orders",
            "order_id",
            shown="order_item_id",
            description="items whose order_id is not in raw.olist_orders",
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
)
