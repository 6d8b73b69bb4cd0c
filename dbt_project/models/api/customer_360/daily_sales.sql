-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    sales_date as date,
    orders,
    valid_orders,
    revenue,
    customers,
    new_customers,
    avg_ticket

from {{ ref('fct_daily_sales') }}
