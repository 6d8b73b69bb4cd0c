-- Sales per state of the order's customer record (where the order was delivered to).
-- A table rebuilt on every refresh, not incremental: a few dozen rows, and a state can be null (the
-- Olist layout does not require it), which an incremental key cannot match.
with

orders as (

    select * from {{ ref('fct_orders') }}

),

states as (

    select
        state,
        count(distinct customer_unique_id) as customers,
        count(*) as orders,
        coalesce(sum(payment_value) filter (where is_valid), 0) as revenue,
        sum(review_score_sum) as review_score_sum,
        sum(reviews_count) as reviews_count,
        count(*) filter (where is_late) as late_deliveries,
        count(*) filter (where is_delivered) as delivered_orders

    from orders
    group by state

),

final as (

    select
        state,
        customers,
        orders,
        round(revenue, 2) as revenue,
        round(review_score_sum::numeric / nullif(reviews_count, 0), 2) as avg_review_score,
        round(late_deliveries::numeric / nullif(delivered_orders, 0), 4) as late_delivery_rate

    from states

)

select * from final
