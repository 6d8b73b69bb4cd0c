{{
    config(
        materialized='incremental',
        unique_key='state',
        indexes=[{'columns': ['state'], 'unique': True}],
        post_hook=["{{ forget_rows_without_orders('state', 'state') }}"],
    )
}}
-- Sales per state of the order's customer record (where the order was delivered to).
-- Incremental: a refresh recomputes the states its rewritten orders are (or were) in.
{#- referenced outside the incremental block, so dbt sees the dependency in every mode #}
{%- set summarized_relation = ref('int_orders_summarized') %}
-- import CTEs read several times are `not materialized` (macros/customer_360_changes.sql)
with

orders as (

    select * from {{ ref('fct_orders') }}

),

{% if is_incremental() %}
summarized as not materialized (

    select * from {{ summarized_relation }}

),
{% endif %}

scoped_orders as (

    select orders.*
    from orders
    {% if is_incremental() %}
    where orders.state in ({{ touched('summarized', 'state') }})
    {% endif %}

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

    from scoped_orders
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
