-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    order_id,
    customer_unique_id,
    status,
    purchased_at,
    approved_at,
    delivered_at,
    estimated_delivery_at,
    is_late,
    delivery_days,
    items_count,
    items_value,
    freight_value,
    payment_value,
    string_to_array(nullif(payment_types_list, ''), ',') as payment_types,
    max_installments,
    review_score

from {{ ref('fct_orders') }}
