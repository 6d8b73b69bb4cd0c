-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes.
-- recency_days is computed at read time (stored, it would change for every person each time a new
-- latest purchase moves as_of): as_of is the var `as_of`, or else the local date of the latest purchase
-- of all, read through the last_order_at index (one index probe per request, an InitPlan). Every
-- reader of this view sees every row (api_contracts/access.py; tests/unit/test_access.py keeps it so),
-- so that latest purchase is the same for everyone.
select
    customer_unique_id,
    zip_code_prefix,
    city,
    state,
    orders_count,
    valid_orders_count,
    canceled_orders_count,
    total_spent,
    avg_order_value,
    items_count,
    items_value,
    freight_value,
    first_order_at,
    last_order_at,
    avg_review_score,
    late_deliveries_count,
    favorite_category,
    preferred_payment_type,
    {% if var('as_of', none) -%}
    '{{ var("as_of") }}'::date
    {%- else -%}
    (
        select (max(latest.last_order_at) at time zone '{{ var("business_time_zone") }}')::date
        from {{ ref('dim_customers') }} as latest
    )
    {%- endif %} - last_valid_purchase_date as recency_days,
    frequency,
    monetary,
    r_score,
    f_score,
    m_score,
    segment

from {{ ref('dim_customers') }}
