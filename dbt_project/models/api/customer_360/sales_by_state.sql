-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    state,
    customers,
    orders,
    revenue,
    avg_review_score,
    late_delivery_rate

from {{ ref('fct_sales_by_state') }}
