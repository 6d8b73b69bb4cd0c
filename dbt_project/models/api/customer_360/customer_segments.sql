-- one flat select of one mart table: PostgREST's filters, order and limit reach its indexes
select
    segment,
    customers,
    revenue,
    share_of_revenue

from {{ ref('fct_customer_segments') }}
