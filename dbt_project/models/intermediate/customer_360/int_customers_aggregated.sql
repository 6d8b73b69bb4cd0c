-- Per person (customer_unique_id): the order, spend, item and review totals of the contract.
-- Incremental: only the people whose orders the run rewrote are recomputed, from all their orders.
-- import CTEs read several times are `not materialized` (macros/customer_360_changes.sql)
with

orders as not materialized (

    select * from {{ ref('int_orders_summarized') }}

),

-- every order of the people whose orders this run rewrote (macros/customer_360_changes.sql)
scoped_orders as (

    select orders.*
    from orders
    {{ where_customer_touched('orders') }}

),

aggregated as (

    select
        customer_unique_id,
        count(*) as orders_count,
        count(*) filter (where is_valid) as valid_orders_count,
        coalesce(sum(payment_value) filter (where is_valid), 0) as total_spent,
        coalesce(sum(items_count) filter (where is_valid), 0)::bigint as items_count,
        coalesce(sum(items_value) filter (where is_valid), 0) as items_value,
        coalesce(sum(freight_value) filter (where is_valid), 0) as freight_value,
        min(purchased_at) as first_order_at,
        max(purchased_at) as last_order_at,
        max(purchase_date) filter (where is_valid) as last_valid_purchase_date,
        sum(review_score_sum) as review_score_sum,
        sum(reviews_count) as reviews_count,
        count(*) filter (where is_late) as late_deliveries_count

    from scoped_orders
    group by customer_unique_id

),

final as (

    select
        customer_unique_id,
        orders_count,
        valid_orders_count,
        orders_count - valid_orders_count as canceled_orders_count,
        round(total_spent, 2) as total_spent,
        round(total_spent / nullif(valid_orders_count, 0), 2) as avg_order_value,
        items_count,
        round(items_value, 2) as items_value,
        round(freight_value, 2) as freight_value,
        first_order_at,
        last_order_at,
        last_valid_purchase_date,
        round(review_score_sum::numeric / nullif(reviews_count, 0), 2) as avg_review_score,
        late_deliveries_count

    from aggregated

)

select * from final
