-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
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
    recency_days,
    frequency,
    monetary,
    r_score,
    f_score,
    m_score,
    segment

from {{ ref('dim_customers') }}
